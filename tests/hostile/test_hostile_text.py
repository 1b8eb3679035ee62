"""Hostile text drafts through the CLI and the HTTP API: bad encodings, nothing, too much,
JSON nested to blow the stack, and control/bidi characters in names."""

from __future__ import annotations

import json

from tests.fixtures.hostile import client_error, post_raw, still_serving

DEEP = 10_000


def _one_error(outcome, *words: str) -> str:
    """Exit 30 and exactly one error line that names the file and the problem."""
    assert outcome.code == 30, (outcome.code, outcome.stdout, outcome.stderr)
    assert len(outcome.error_lines) == 1, outcome.stderr
    line = outcome.error_lines[0]
    assert line.startswith("错误：") and "Traceback" not in outcome.stderr
    for word in words:
        assert word in line, (word, line)
    return line


# -- invalid UTF-8 ------------------------------------------------------------------------------
def test_invalid_utf8_file_is_one_error_naming_byte_and_offset(screen, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("讲座\n\n欢迎".encode() + b"\xff\xfe caf\xe9")
    _one_error(screen(path), str(path), "不是有效的 UTF-8 编码", "偏移 14 处的字节 0xff")


def test_invalid_utf8_json_body_is_a_422(world):
    response = post_raw(world, "operator", "/api/drafts",
                        b'{"account_id": 1, "body": "caf\xe9"}')
    client_error(response, "UTF-8", "byte")
    still_serving(world)


def test_invalid_utf8_uploaded_file_is_a_422_naming_it(world):
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files={"file": ("note.txt", b"title\n\nbody \xc3\x28", "text/plain")})
    client_error(response, "note.txt", "UTF-8", "偏移 12")
    still_serving(world)


# -- empty drafts --------------------------------------------------------------------------------
def test_empty_and_blank_drafts_are_errors(screen, tmp_path):
    for name, content in [("empty.txt", ""), ("blank.md", " \n\t\n"), ("none.json", "{}"),
                          ("zw.txt", "\u200b\u200b")]:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        outcome = screen(path)
        if name == "zw.txt":
            # zero-width spaces are not whitespace to str.strip: screened, and shown to the
            # reviewer as hidden characters
            assert outcome.code == 10 and outcome.reports[0]["verdict"] == "review"
            assert [f["category"] for f in outcome.reports[0]["findings"]] == ["hidden_text"]
            continue
        _one_error(outcome, str(path), "稿件是空的")


def test_empty_draft_is_a_422(world):
    for payload in ({}, {"title": "", "body": "  \n "}):
        response = world.call("operator", "POST", "/api/drafts",
                              json={"account_id": world.ids["account"], **payload})
        client_error(response, "empty draft")
    response = post_raw(world, "operator", "/api/drafts", b"")
    client_error(response, "not valid JSON")
    still_serving(world)


# -- 20 MB --------------------------------------------------------------------------------------
TWENTY_MB = 20 * 1024 * 1024


def test_20_mb_draft_file_is_refused_before_reading(screen, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(TWENTY_MB)  # sparse: the size is all that matters
    _one_error(screen(path), str(path), "文件有 20,971,520 字节", "稿件最多 2,000,000 字节",
               "max_file_bytes")


def test_20_mb_request_is_a_413_and_the_service_goes_on(world):
    body = "讲" * (TWENTY_MB // 3 + 1)
    response = world.call("operator", "POST", "/api/drafts",
                          json={"account_id": world.ids["account"], "body": body})
    assert response.status_code == 413
    client_error(response, "max_request_bytes")
    # Under the byte limit but over max_body_chars: the characters are counted, not the bytes.
    response = world.call("operator", "POST", "/api/drafts",
                          json={"account_id": world.ids["account"], "body": "a" * 2_000_000})
    client_error(response, "characters", "limit")
    still_serving(world)


def test_20_mb_uploaded_draft_file_is_a_4xx(world):
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files={"file": ("big.txt", b"a" * 5_000_000, "text/plain")})
    client_error(response)
    still_serving(world)


# -- JSON nested 10,000 deep -------------------------------------------------------------------
def test_json_nested_10000_deep_is_one_error(screen, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"body": ' + "[" * DEEP + "]" * DEEP + "}", encoding="utf-8")
    _one_error(screen(path), str(path), "嵌套过深")
    path.write_text("{" + '"a":{' * DEEP + "}" * DEEP + "}", encoding="utf-8")
    _one_error(screen(path), str(path), "嵌套过深")


def test_json_nested_10000_deep_is_a_4xx_on_every_json_endpoint(world):
    deep = ('{"account_id": 1, "body": ' + "[" * DEEP + "]" * DEEP + "}").encode()
    for who, url in [("operator", "/api/drafts"), ("admin", "/api/units"),
                     ("admin", "/api/accounts")]:
        response = post_raw(world, who, url, deep)
        client_error(response)
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files={"file": ("deep.json", deep, "application/json")})
    client_error(response, "deep.json", "嵌套过深")
    still_serving(world)


# -- control and bidi characters in names --------------------------------------------------------
HOSTILE_NAMES = ["工学院\u202e系学力", "工学院\x1b[2J力学系", "工学院\x00力学系",
                 "工学院\u2066力学\u2069"]


def test_control_and_bidi_characters_in_names_are_refused_with_their_position(world):
    for name in HOSTILE_NAMES:
        for url, payload in [
            ("/api/units", {"name": name}),
            ("/api/people", {"name": name, "kind": "staff"}),
            ("/api/accounts", {"platform": "wechat", "name": name, "unit_id": world.ids["unit"],
                               "opened_on": "2019-09-01"}),
        ]:
            response = world.call("admin", "POST", url, json=payload)
            message = client_error(response, "name", "U+")
            assert "（偏移 3）" in message, message
    listed = world.call("admin", "GET", "/api/accounts").json()["items"]
    assert all(a["name"] in ("工学院力学系", "能源系微博") for a in listed)
    still_serving(world)


def test_control_and_bidi_characters_in_names_are_refused_by_the_cli_too(cli):
    unit = cli("accounts", "add-unit", "力学系")
    assert unit.code == 0, unit.stdout + unit.stderr
    for name in HOSTILE_NAMES:
        for args in (["accounts", "add-unit", name], ["accounts", "add-person", name],
                     ["accounts", "add", name, "--unit", "1", "--opened-on", "2019-09-01"]):
            outcome = cli(*args)
            assert outcome.code == 30 and len(outcome.error_lines) == 1, outcome.stderr
            line = outcome.error_lines[0]
            assert "U+" in line and "（偏移 3）" in line and "\x1b" not in line, line


def test_control_and_bidi_characters_in_a_title_are_screened_and_shown_visibly(cli, tmp_path,
                                                                               world):
    title = "代\u202e孕\x1b]0;owned\x07讲座"
    path = tmp_path / "draft.json"
    path.write_text(json.dumps({"title": title, "body": "代\u200b孕广告"}), encoding="utf-8")
    text = cli("screen", str(path))
    assert text.code == 20, text.stdout
    assert "\x1b" not in text.stdout and "\u202e" not in text.stdout, text.stdout
    # the reviewer sees what was hidden; the reversal is shown, never applied
    assert "代⟨U+202E⟩孕" in text.stdout and "代⟨U+200B⟩孕" in text.stdout, text.stdout
    report = cli("screen", "--format", "json", str(path)).reports[0]
    spans = {(f["field"], f["start"], f["end"], f["text"]) for f in report["findings"]
             if f["term"] == "代孕"}
    assert spans == {("title", 0, 3, "代\u202e孕"), ("body", 0, 3, "代\u200b孕")}
    response = world.call("operator", "POST", "/api/drafts",
                          json={"account_id": world.ids["account"], "title": title,
                                "body": "代\u200b孕广告"})
    assert response.status_code == 201 and response.json()["verdict"] == "block"
    still_serving(world)


def test_control_and_markup_characters_in_file_names_are_printed_as_they_are(screen, tmp_path):
    (tmp_path / "x[").mkdir()
    for name in ["x[/bold]y.txt", "[red]y.txt", "a\u202ecod.txt", "b\x1b[2Jc.txt"]:
        path = tmp_path / name  # x[/bold]y.txt is y.txt in the folder "x["
        path.write_bytes(b"")
        line = _one_error(screen(path), "稿件是空的")
        assert "\x1b" not in line and "\u202e" not in line, repr(line)
        shown = name.replace("\u202e", "⟨U+202E⟩").replace("\x1b", "␛")
        assert shown in line, (shown, line)


def test_control_characters_in_an_uploaded_file_name_are_not_echoed_raw(world):
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files={"file": ("a\u202e\x1b[2J.exe", b"x", "text/plain")})
    message = client_error(response)
    assert "\x1b" not in message and "\u202e" not in message, message
    still_serving(world)


def test_markup_in_an_archive_row_is_printed_not_obeyed(cli, tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps({"body": "讲座", "published_at": "2024-01-01",
                                "[/bold]\x1b[2J": 1}) + "\n", encoding="utf-8")
    outcome = cli("archive", "import", str(path))
    assert outcome.code == 30 and len(outcome.error_lines) == 1, outcome.stderr
    line = outcome.error_lines[0]
    assert f"{path}:1" in line and "[/bold]" in line and "\x1b" not in line, line
    outcome = cli("rescreen", "--since", "[/x]")
    assert outcome.code == 2 and "--since" in outcome.stderr and "[/x]" in outcome.stderr
