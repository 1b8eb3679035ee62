"""Make the state folder of the release before Alembic, for the upgrade tests.

Run with that release's code first on the path (its checkout, commit c39ea55):

    PYTHONPATH=/path/to/old/checkout python tests/data/legacy/make_legacy.py OUT

It registers a unit, people, an account and tokens, adds a lexicon term and a bank picture
(both audited), submits, signs off and publishes a draft through the API, archives three posts
and re-screens them, then writes ``OUT/screener.db`` and ``OUT/assets.db`` as single files. The
committed copies were made this way; the tests upgrade copies of them and count every row.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path


def main(out: Path) -> None:
    home = Path(tempfile.mkdtemp())
    import os

    os.environ["SCREENER_HOME"] = str(home)
    from fastapi.testclient import TestClient
    from PIL import Image
    from sklearn.datasets import load_sample_images
    from typer.testing import CliRunner

    import screener
    from screener.cli import app as cli

    print("release:", screener.__file__, file=sys.stderr)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code in (0, 10), (args, result.output)
        return result.stdout

    admin = run("init").strip().splitlines()[-1]
    run("accounts", "add-unit", "力学与工程科学系")
    run("accounts", "add-person", "李老师", "--kind", "staff", "--unit", "1")
    run("accounts", "add-person", "张同学", "--kind", "student", "--unit", "1")
    run("accounts", "add", "工学院力学系", "--unit", "1", "--platform", "wechat")
    run("accounts", "assign", "1", "1", "responsible")
    run("accounts", "assign", "1", "2", "operator")
    operator = run("tokens", "create", "--role", "operator", "--person", "2").strip()
    responsible = run("tokens", "create", "--role", "responsible", "--person", "1").strip()
    run("lexicon", "add", "校园刷单", "--category", "illegal", "--reason", "legacy fixture")
    picture = home / "photo.png"
    Image.fromarray(load_sample_images().images[0]).resize((320, 240)).save(picture)
    run("assets", "add", str(picture), "--title", "颐和园", "--kind", "copyright")

    from service import create_app

    with TestClient(create_app()) as client:
        def call(token, method, url, **kw):
            response = client.request(method, url, headers={"Authorization": f"Bearer {token}"},
                                      **kw)
            assert response.status_code in (200, 201), response.text
            return response.json()

        draft = call(operator, "POST", "/api/drafts",
                     json={"account_id": 1, "title": "讲座通知", "body": "欢迎参加力学前沿讲座。"})
        call(responsible, "POST", f"/api/drafts/{draft['id']}/signoff",
             json={"decision": "approve", "report_id": draft["report"]["id"]})
        call(operator, "POST", f"/api/drafts/{draft['id']}/publish")
        call(operator, "POST", "/api/drafts",
             json={"account_id": 1, "title": "招聘", "body": "加微信刷单，日结工资。"})
        call(admin, "GET", "/api/audit/verify")

    posts = home / "posts.jsonl"
    posts.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in [
        {"id": "p1", "title": "讲座", "body": "欢迎参加讲座。", "account": "工学院力学系",
         "platform": "wechat", "published_at": "2024-03-01"},
        {"id": "p2", "title": "兼职", "body": "校园刷单，日结。", "account": "工学院力学系",
         "platform": "wechat", "published_at": "2024-03-02"},
        {"id": "p3", "title": "通知", "body": "图书馆开放时间调整。", "account": "工学院力学系",
         "platform": "wechat", "published_at": "2024-03-03"},
    ]), encoding="utf-8")
    run("archive", "import", str(posts))
    run("archive", "import", "--from-service")
    run("rescreen", "--json")

    out.mkdir(parents=True, exist_ok=True)
    for name in ("screener.db", "assets.db"):
        source, target = sqlite3.connect(home / name), sqlite3.connect(out / name)
        source.backup(target)  # one self-contained file, whatever the journal mode
        target.execute("PRAGMA journal_mode=DELETE")
        source.close()
        target.close()
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
