"""``screener assets ...`` and the bank behind it: add, near-duplicates, list, show, retire,
export; nothing is ever deleted."""

import json

import pytest
import typer
from PIL import ImageOps
from typer.testing import CliRunner

from screener.cli_assets import assets_app
from screener.images.bank import AssetBank
from screener.images.config import ImageConfig
from screener.images.errors import AssetError

app = typer.Typer()
app.add_typer(assets_app, name="assets")
runner = CliRunner()


@pytest.fixture
def files(tmp_path, photos):
    photos["china"].save(tmp_path / "china.png")
    ImageOps.mirror(photos["china"]).save(tmp_path / "china_copy.jpg", quality=60)
    photos["flower"].resize((320, 213)).save(tmp_path / "flower.jpg")
    return tmp_path


def _cli(home, *args):
    return runner.invoke(app, ["assets", *args, "--home", str(home)])


def test_add_list_show_retire_export(files, tmp_path):
    home = tmp_path / "home"
    result = _cli(home, "add", str(files / "china.png"), "--owner", "Agency", "--license",
                  "none", "--kind", "copyright", "--title", "Temple", "--by", "alice")
    assert result.exit_code == 0, result.output
    assert "已登记图片 1（著作权图片）：Temple" in result.output
    assert (home / "assets.db").exists()
    result = _cli(home, "add", str(files / "flower.jpg"), "--kind", "emblem", "--by", "bob")
    assert "已登记图片 2（校徽标识）：flower" in result.output
    listing = _cli(home, "list").output
    assert "Temple" in listing and "flower" in listing and "alice" in listing
    result = _cli(home, "retire", "1", "--reason", "licence bought", "--by", "carol")
    assert result.exit_code == 0 and "已停用图片 1：Temple" in result.output
    assert "Temple" not in _cli(home, "list").output
    assert "Temple" in _cli(home, "list", "--all").output
    shown = _cli(home, "show", "1").output
    assert "status: retired" in shown and "停用，carol（licence bought）" in shown
    assert "登记，alice" in shown
    records = [json.loads(line) for line in _cli(home, "export").output.splitlines()]
    assert [r["id"] for r in records] == [1, 2]
    assert [e["action"] for e in records[0]["history"]] == ["add", "retire"]


def test_near_duplicate_is_reported(files, tmp_path):
    home = tmp_path / "home"
    _cli(home, "add", str(files / "china.png"))
    same = _cli(home, "add", str(files / "china.png"))
    assert "与图片 1「china」几乎相同（同一文件）" in same.output
    resized = files / "china_small.png"
    from PIL import Image

    Image.open(files / "china.png").resize((320, 213)).save(resized)
    assert "与图片 1「china」几乎相同（" in _cli(home, "add", str(resized)).output
    assert "几乎相同" not in _cli(home, "add", str(files / "flower.jpg")).output


def test_errors_are_one_line_and_exit_30(files, tmp_path):
    home = tmp_path / "home"
    bad_kind = _cli(home, "add", str(files / "china.png"), "--kind", "logo")
    assert bad_kind.exit_code == 30 and "种类（kind）只能是 copyright、emblem，不能是 'logo'" in \
        bad_kind.output
    missing = _cli(home, "add", str(files / "nothing.png"))
    assert missing.exit_code == 30 and "找不到图片文件" in missing.output
    for args in (("show", "99"), ("retire", "99", "--reason", "x")):
        unknown = _cli(home, *args)
        assert unknown.exit_code == 30 and "图片库中没有编号为 99 的图片" in unknown.output


def test_retire_needs_a_reason_and_happens_once(files, tmp_path):
    bank = AssetBank(f"sqlite:///{tmp_path}/a.db", ImageConfig())
    asset = bank.add(files / "china.png", kind="copyright").asset
    with pytest.raises(AssetError, match="停用图片须写明理由"):
        bank.retire(asset.id, reason=" ")
    bank.retire(asset.id, reason="gone")
    with pytest.raises(AssetError, match=f"图片 {asset.id} 已经停用"):
        bank.retire(asset.id, reason="again")
