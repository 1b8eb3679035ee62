"""Reprinted text through the API: the report that submit returns flags passages copied from
the bank of source texts, and a published post joins the bank (audited), so another account
reprinting it is flagged while the account itself is not."""

from __future__ import annotations

import pytest

from screener import Draft
from screener.sources import SourceBank, SourceText
from tests.fixtures.sources import OPENING, OPENING_TITLE, UNRELATED, text_of

INTRO = "新学年开始了，我们系也迎来了新同学。"


@pytest.fixture
def bank(own_screener) -> SourceBank:
    return SourceBank(own_screener.settings.sources_database_url,
                      own_screener.resources.normalizer)


def copyright_findings(draft: dict) -> list[dict]:
    return [f for f in draft["report"]["findings"] if f["category"] == "copyright"]


def test_submit_reports_copied_paragraphs_and_a_source_line_makes_them_informational(
        own_world, bank):
    source = bank.add(SourceText(text_of(OPENING_TITLE, OPENING), title=OPENING_TITLE,
                                 owner="北京大学工学院新闻网", license="本校新闻，注明来源可转载"),
                      by="钱老师").source
    body = f"{INTRO}\n\n{OPENING[0]}\n\n{OPENING[1]}"
    draft = own_world.submit(title="新学期寄语", body=body)
    found = copyright_findings(draft)
    first = len(INTRO) + 2
    second = first + len(OPENING[0]) + 2
    assert [(f["field"], f["start"], f["end"]) for f in found] == [
        ("body", first, first + len(OPENING[0])), ("body", second, second + len(OPENING[1]))]
    assert {f["severity"] for f in found} == {"review"}
    assert found[0]["term"] == f"source {source.id}: {OPENING_TITLE}"
    assert draft["verdict"] in ("review", "block")

    credited = own_world.submit(title="新学期寄语",
                                body=body + "\n\n（来源：北京大学工学院新闻网）")
    found = copyright_findings(credited)
    assert len(found) == 2 and {f["severity"] for f in found} == {"info"}

    clean = own_world.submit(title="学院新闻", body="\n\n".join(UNRELATED))
    assert copyright_findings(clean) == []


def _publish(world, draft: dict) -> dict:
    signed = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                        json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert signed.status_code == 200, signed.text
    published = world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    assert published.status_code == 200, published.text
    return published.json()


def test_a_published_post_joins_the_bank_audited_and_only_other_accounts_reprint_it(
        own_world, own_screener, bank):
    post = own_world.submit(title=OPENING_TITLE, body="\n\n".join(OPENING))
    assert copyright_findings(post) == []
    _publish(own_world, post)

    joined = bank.by_origin(f"svc:{post['id']}")
    assert joined is not None and joined.kind == "service"
    assert joined.owner == "工学院力学系" and joined.published_at
    audit = own_world.call("admin", "GET", "/api/audit").json()["items"]
    added, = [row for row in audit if row["action"] == "source.add"]
    assert added["subject"] == f"source:{joined.id}"
    assert added["details"]["sources"][0]["origin"] == f"svc:{post['id']}"
    verified = own_world.call("admin", "GET", "/api/audit/verify").json()
    assert verified["ok"], verified

    reprint = "\n\n".join(OPENING[:2])
    own = own_world.submit(title="回顾", body=reprint)
    assert copyright_findings(own) == []  # the account reusing its own post reprints nothing
    # The other account's drafts meet the same bank (its operator is not in this registry).
    other = own_screener.screen(Draft(title="转发", body=reprint, account="能源系微博"))
    found = [f for f in other.findings if f.category == "copyright"]
    assert len(found) == 2 and {f.term for f in found} == {f"source {joined.id}: {OPENING_TITLE}"}


# Our own news, written for this check alone: no other test adds it to any bank.
REGATTA_TITLE = "工学院代表队在校园龙舟赛中夺冠"
REGATTA = [
    "5月25日，北京大学第十二届校园龙舟赛在未名湖畔举行，来自全校各院系的二十四支队伍参加角逐。"
    "工学院代表队由本科生和研究生共二十二人组成，赛前在湖边坚持训练了六周。",
    "决赛中，工学院代表队起航稳健，中段连续加速，最终以领先第二名一个半船身的成绩率先冲线，"
    "夺得男女混合组冠军。这是学院代表队第三次获得该项目冠军。",
]


def test_a_world_publishes_into_a_bank_of_its_own(world, shipped_screener):
    """A test world's published post joins that world's bank only: the session's screener,
    which other tests screen on, does not read a later draft as a reprint of it."""
    post = world.submit(title=REGATTA_TITLE, body="\n\n".join(REGATTA))
    _publish(world, post)
    reprint = Draft(title="转发", body="\n\n".join(REGATTA), account="能源系微博")

    in_world = world.client.app.state.services.screener.screen(reprint)
    assert len([f for f in in_world.findings if f.category == "copyright"]) == 2

    elsewhere = shipped_screener.screen(reprint)
    assert [f for f in elsewhere.findings if f.category == "copyright"] == []
    session_bank = SourceBank(shipped_screener.settings.sources_database_url, create=False)
    assert REGATTA_TITLE not in [s.title for s in session_bank.list_sources()]
