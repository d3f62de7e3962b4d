"""The plan's money rules (rows 8, 10, 13) and ID numbers, at their edges."""

from decimal import Decimal

import pytest

from approvals.subsidies.idnumbers import check_digit, id_number_problem, mask
from approvals.subsidies.models import yuan
from approvals.subsidies.rules import award_for, check_hosting_amount, check_remuneration
from workflows.exceptions import RuleViolation

MASTER, EXPERT = "台州技能大师", "台州市技术能手"
TEN, FIVE, NOTHING = Decimal("10000.00"), Decimal("5000.00"), Decimal("0.00")

AWARD_TABLE = [
    ("一类", 1, MASTER, TEN),
    ("一类", 2, EXPERT, FIVE),
    ("一类", 3, EXPERT, FIVE),
    ("一类", 4, EXPERT, FIVE),
    ("一类", 5, EXPERT, FIVE),
    ("一类", 6, None, NOTHING),
    ("二类", 1, EXPERT, FIVE),
    ("二类", 2, EXPERT, FIVE),
    ("二类", 3, EXPERT, FIVE),
    ("二类", 4, None, NOTHING),
    ("二类", 5, None, NOTHING),
    ("二类", 6, None, NOTHING),
    *[("三类", p, None, NOTHING) for p in range(1, 7)],
    *[(c, p, None, NOTHING) for c in ("一类", "二类", "三类") for p in (0, -1)],
]


@pytest.mark.parametrize(("klass", "place", "title", "amount"), AWARD_TABLE)
def test_the_award_table_of_row_8(klass, place, title, amount):
    assert award_for(klass, place) == (title, amount)


def test_a_place_that_is_not_whole_earns_nothing():
    assert award_for("一类", 2.5) == (None, NOTHING)


def _remuneration(income, remuneration, costs="0"):
    check_remuneration(
        income=Decimal(income), costs=Decimal(costs), remuneration=Decimal(remuneration)
    )


def test_remuneration_of_34_99_and_35_00_percent_passes_35_01_is_refused_citing_row_13():
    _remuneration("10000.00", "3499.00")
    _remuneration("10000.00", "3500.00")
    with pytest.raises(RuleViolation) as refused:
        _remuneration("10000.00", "3501.00")
    assert "第13项" in refused.value.message and "35%" in refused.value.message
    assert "「拟发劳务报酬」" in refused.value.message
    assert refused.value.field == "remuneration"


def test_the_project_must_end_with_a_surplus_one_fen_is_enough():
    _remuneration("10000.00", "3000.00", costs="6999.99")  # surplus ¥0.01
    with pytest.raises(RuleViolation) as refused:
        _remuneration("10000.00", "3000.00", costs="7000.00")  # surplus ¥0.00
    assert "第13项" in refused.value.message and "结余" in refused.value.message


@pytest.mark.parametrize(
    ("amount", "ok"),
    [
        ("29999.99", False),
        ("30000.00", True),
        ("45000.00", True),
        ("60000.00", True),
        ("60000.01", False),
    ],
)
def test_the_hosting_subsidy_range_of_row_8(amount, ok):
    if ok:
        check_hosting_amount(Decimal(amount))
        return
    with pytest.raises(RuleViolation) as refused:
        check_hosting_amount(Decimal(amount))
    assert "第8项" in refused.value.message and "「核定补助金额」" in refused.value.message
    assert yuan(Decimal(amount)) in refused.value.message


def test_money_is_shown_in_yuan_with_two_places():
    assert yuan(Decimal("12345")) == "¥12,345.00"
    assert yuan(Decimal("0.01")) == "¥0.01"


# GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, MOD 11 → "10X98765432"
@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("11010519491231002X", None),  # the standard's own example
        ("440524188001010014", None),
        ("110105194912310021", "校验位"),
        ("11010519491231002", "18 位"),
        ("1101051949123100211", "18 位"),
        ("11010519491231A02X", "前 17 位"),
        ("110105194913310020", "出生日期"),
        ("", "为空"),
    ],
)
def test_id_numbers_are_checked_by_their_gb_11643_check_digit(number, problem):
    result = id_number_problem(number)
    if problem is None:
        assert result is None
    else:
        assert problem in result


def test_a_lower_case_x_is_read_as_the_check_digit_x():
    assert id_number_problem("11010519491231002x") is None


def test_the_check_digit_of_every_remainder():
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def test_ids_are_masked_keeping_the_region_and_the_last_four():
    assert mask("11010519491231002X") == "110105********002X"
