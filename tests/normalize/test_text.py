"""Normalization: the offset map always points back into the original text."""

from __future__ import annotations

import numpy as np
import opencc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener import Draft
from screener.normalize import explain

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check_view(view, original: str) -> None:
    assert len(view.origin) == len(view.text)
    if len(view.origin):
        assert view.origin.min() >= 0 and view.origin.max() < len(original)
        assert np.all(np.diff(view.origin) >= 0), "origin must never go backwards"


@SETTINGS
@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_never_raises_and_origins_are_valid(normalizer, text):
    normalized = normalizer(text)
    _check_view(normalized.skeleton, text)
    _check_view(normalized.literal, text)
    for i in range(len(normalized.skeleton.text)):
        start, end = normalized.skeleton.span(i, i + 1)
        assert 0 <= start < end <= len(text)


@SETTINGS
@given(st.text(alphabet=st.characters(codec=None), max_size=200) | st.text(
    alphabet="代 孕*，。. ,\n㈱ﬁ加ｖｘ\u200b秘密★臺灣ДаЙ", max_size=60))
def test_one_view_alone_is_that_view_of_the_whole(normalizer, text):
    # The re-screening probe asks for one view only; it must be exactly the view screening sees.
    normalized = normalizer(text)
    for name in ("skeleton", "literal"):
        alone = normalizer.view(text, name)
        assert alone.text == getattr(normalized, name).text
        assert alone.origin.tolist() == getattr(normalized, name).offsets


@SETTINGS
@given(st.text(max_size=300))
def test_screening_arbitrary_text_gives_valid_findings(shipped_screener, text):
    report = shipped_screener.screen(Draft(title=text[:20], body=text))
    for finding in report.findings:
        if finding.field not in ("title", "body"):
            continue  # whole-draft findings (classifier scores) have no span
        original = text[:20] if finding.field == "title" else text
        assert 0 <= finding.start < finding.end <= len(original)
        assert original[finding.start:finding.end] == finding.text


_T2S = opencc.OpenCC("s2t")
NOISE = [" ", "*", "❤", "\u200b", "·", "-", "_", "/", "\u3000", "😀", "\u202e", "\ufe0f"]


def _full_width(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


# Common characters that do not occur in the test terms, to surround them with.
FILLER = (
    "的是在了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
    "也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理"
    "起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社"
    "义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只"
    "没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品"
    "式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九"
    "区强放决西被干做必战先回则任取据处理府研质"
)


@st.composite
def evasive(draw):
    term = draw(st.sampled_from(["代孕", "内部资料", "加vx", "扫码购买"]))
    chars = []
    for i, ch in enumerate(term):
        style = draw(st.sampled_from(["plain", "wide", "upper", "traditional"]))
        if style == "wide":
            ch = _full_width(ch)
        elif style == "upper":
            ch = ch.upper()
        elif style == "traditional":
            ch = _T2S.convert(ch)
        chars.append(ch)
        if i < len(term) - 1:
            chars.append("".join(draw(st.lists(st.sampled_from(NOISE), max_size=3))))
    return term, "".join(chars)


@SETTINGS
@given(evasive(), st.text(alphabet=FILLER, max_size=30))
def test_every_evasion_is_found_and_points_at_its_evasive_form(test_screener, case, filler):
    term, form = case
    text = f"{filler}。{form}。{filler}"
    report = test_screener.screen(Draft(title="", body=text))
    start = len(filler) + 1
    hits = [f for f in report.findings if f.term == term]
    assert hits, f"{form!r} not found"
    assert any(f.start == start and f.end == start + len(form) for f in hits)
    for finding in report.findings:
        assert text[finding.start:finding.end] == finding.text


def test_explain_lists_reasons_in_plain_words():
    from screener.normalize.tables import R_COMPAT, R_NOISE

    assert explain(R_COMPAT | R_NOISE) == ["全角或兼容字符", "插入空格/符号"]
    assert explain(R_COMPAT | R_NOISE, technical=True) == [
        "full-width/compatibility forms folded (NFKC)",
        "inserted spaces/punctuation/symbols/emoji skipped"]


def test_expanding_characters_keep_offsets(normalizer):
    text = "㈱ﬁ加ｖｘ"
    normalized = normalizer(text)
    assert normalized.skeleton.text == "株fi加vx"
    assert normalized.skeleton.origin.tolist() == [0, 1, 1, 2, 3, 4]
