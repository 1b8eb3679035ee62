"""Personal information: numbers with a check digit fire only when the check digit is right."""

from __future__ import annotations

import pytest

from screener.details.personal import find_personal, id_number_valid, luhn_valid

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check_digit(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS,
                                                                      strict=True)) % 11]


def with_luhn(prefix: str) -> str:
    for last in "0123456789":
        if luhn_valid(prefix + last):
            return prefix + last
    raise AssertionError("unreachable")


GOOD_ID = with_check_digit("11010519491231002")  # ends in X
GOOD_ID2 = with_check_digit("44030419900101123")
BAD_ID = GOOD_ID2[:-1] + str((int(GOOD_ID2[-1]) + 1) % 10 if GOOD_ID2[-1] != "X" else 0)
GOOD_CARD = with_luhn("622202020000000000")
BAD_CARD = GOOD_CARD[:-1] + str((int(GOOD_CARD[-1]) + 1) % 10)


def test_the_check_digits_are_what_the_standards_say():
    assert GOOD_ID.endswith("X") and id_number_valid(GOOD_ID) and id_number_valid(GOOD_ID2)
    assert not id_number_valid(BAD_ID)
    assert not id_number_valid("110105194902300020")  # 30 February
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")


FOUND = [
    (f"身份证号 {GOOD_ID}", "id_number", GOOD_ID),
    (f"身份证：{GOOD_ID2}。", "id_number", GOOD_ID2),
    (f"卡号 {GOOD_CARD}", "bank_card", GOOD_CARD),
    (f"卡号 {GOOD_CARD[:4]} {GOOD_CARD[4:8]} {GOOD_CARD[8:12]} {GOOD_CARD[12:16]} "
     f"{GOOD_CARD[16:]}", "bank_card",
     f"{GOOD_CARD[:4]} {GOOD_CARD[4:8]} {GOOD_CARD[8:12]} {GOOD_CARD[12:16]} {GOOD_CARD[16:]}"),
    ("卡号 4111111111111111", "bank_card", "4111111111111111"),
    ("护照号码 E12345678", "passport", "E12345678"),
    ("护照：P1234567", "passport", "P1234567"),
    ("学号：2001210123", "student_number", "2001210123"),
    ("张伟 2001210123", "student_number", "2001210123"),
    ("2001210123 李明", "student_number", "2001210123"),
]


@pytest.mark.parametrize(("text", "kind", "shown"), FOUND)
def test_personal_information_is_found(text, kind, shown):
    found = find_personal(text)
    assert [(p.kind, text[p.start:p.end]) for p in found] == [(kind, shown)]


@pytest.mark.parametrize("text", [
    f"身份证号 {BAD_ID}",
    f"卡号 {BAD_CARD}",
    "订单号 20231101123456789",
    "联系人王老师 13812345678",  # one contact person is not a list
    "编号 P1234567",  # no passport mentioned
    "2023年共有2001210123元经费",
    "身份证320873200302122256",  # a wrong ID check digit that happens to pass Luhn
])
def test_wrong_check_digits_and_lookalikes_do_not_fire(text):
    assert find_personal(text) == []


def test_phone_numbers_next_to_names_in_a_list(shipped_screener):
    from screener import Draft, Screener

    screener = Screener(shipped_screener.settings, stages=("personal", "contacts"))
    text = "获奖名单：张三 13812345678；李四 13987654321"
    report = screener.screen(Draft(title="", body=text))
    assert [(f.category, f.text) for f in report.findings] == [
        ("personal_info", "13812345678"), ("personal_info", "13987654321")]
    assert all(f.article == "第十一条（内容）" and str(f.severity) == "review"
               for f in report.findings)
