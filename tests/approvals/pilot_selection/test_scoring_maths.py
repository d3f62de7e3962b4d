"""The scoring maths against a slow, obvious implementation (hypothesis).

The obvious version works in integers: scores are whole tenths, so a mean over n
experts is (sum of tenths) / (10 n); it drops extremes by removing list elements
one at a time, adds the weighted criteria over a common denominator, and rounds
half-up by comparing twice the remainder with the divisor. Ranking is by counting,
for each application, how many others come before it pairwise.
"""

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from approvals.pilot_selection.scoring import (
    Criterion,
    criterion_mean,
    rank,
    result_of,
    round_half_up,
)

# --- the slow, obvious implementation -------------------------------------------------


def slow_mean_tenths(tenths: list[int]) -> tuple[int, int]:
    """(numerator, denominator) of the mean, in points, of scores given in tenths."""
    values = list(tenths)
    if len(values) >= 5:
        values.remove(max(values))
        values.remove(min(values))
    return sum(values), 10 * len(values)


def slow_total(criteria, per_expert_tenths) -> tuple[int, int]:
    """Σ mean/max×weight as one exact fraction (numerator, denominator), no Fraction type."""
    num, den = 0, 1
    for i, c in enumerate(criteria):
        m_num, m_den = slow_mean_tenths([e[i] for e in per_expert_tenths])
        t_num, t_den = m_num * c.weight, m_den * c.max
        num, den = num * t_den + t_num * den, den * t_den
    return num, den


def slow_round_2(num: int, den: int) -> Decimal:
    hundredths, remainder = divmod(num * 100, den)
    if 2 * remainder >= den:
        hundredths += 1
    return Decimal(hundredths) / Decimal(100)


def slow_precedes(criteria, a, b) -> bool:
    """True when application ``a`` ranks before ``b``."""
    ta, tb = slow_round_2(*a["total"]), slow_round_2(*b["total"])
    if ta != tb:
        return ta > tb
    key = max(range(len(criteria)), key=lambda i: (criteria[i].weight, -i))
    ka = slow_mean_tenths([e[key] for e in a["tenths"]])
    kb = slow_mean_tenths([e[key] for e in b["tenths"]])
    if ka[0] * kb[1] != kb[0] * ka[1]:
        return ka[0] * kb[1] > kb[0] * ka[1]
    if a["submitted"] != b["submitted"]:
        return a["submitted"] < b["submitted"]
    return a["id"] < b["id"]


# --- strategies ------------------------------------------------------------------------


@st.composite
def criteria_lists(draw):
    n = draw(st.integers(1, 6))
    maxima = draw(st.lists(st.integers(1, 100), min_size=n, max_size=n))
    # weights: n positive integers adding up to 100
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=n - 1, max_size=n - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    return [Criterion(f"c{i}", maxima[i], weights[i]) for i in range(n)]


@st.composite
def panels(draw, criteria):
    experts = draw(st.integers(1, 9))
    return [[draw(st.integers(0, c.max * 10)) for c in criteria] for _ in range(experts)]


def as_scores(criteria, tenths_row):
    return {c.name: Decimal(t) / 10 for c, t in zip(criteria, tenths_row, strict=True)}


# --- properties -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=12))
def test_mean_drops_highest_and_lowest_only_with_five_or_more(tenths):
    num, den = slow_mean_tenths(tenths)
    mean = criterion_mean([Decimal(t) / 10 for t in tenths])
    assert mean * den == num


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_total_is_exact_weighted_sum_rounded_half_up(data):
    criteria = data.draw(criteria_lists())
    tenths = data.draw(panels(criteria))
    result = result_of(criteria, [as_scores(criteria, row) for row in tenths])
    num, den = slow_total(criteria, tenths)
    assert result.total_exact * den == num
    assert result.total == slow_round_2(num, den)
    assert Decimal(0) <= result.total <= Decimal(100)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**7), st.integers(1, 10**4))
def test_round_half_up(num, den):
    from fractions import Fraction

    assert round_half_up(Fraction(num, den)) == slow_round_2(num, den)


def test_half_is_rounded_up_not_to_even():
    from fractions import Fraction

    assert round_half_up(Fraction(1, 8)) == Decimal("0.13")  # 0.125
    assert round_half_up(Fraction(2, 8)) == Decimal("0.25")
    assert round_half_up(Fraction(5, 1000)) == Decimal("0.01")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_ranking_matches_pairwise_order(data):
    criteria = data.draw(criteria_lists())
    n = data.draw(st.integers(1, 7))
    base = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    apps = []
    for i in range(n):
        # few distinct values, so that ties on the total and on the key criterion happen
        experts = data.draw(st.integers(1, 6))
        tenths = [
            [data.draw(st.sampled_from([0, c.max * 5, c.max * 10])) for c in criteria]
            for _ in range(experts)
        ]
        submitted = base + datetime.timedelta(minutes=data.draw(st.integers(0, 3)))
        apps.append(
            {
                "id": i,
                "tenths": tenths,
                "submitted": submitted,
                "total": slow_total(criteria, tenths),
            }
        )
    results = [
        result_of(
            criteria,
            [as_scores(criteria, row) for row in a["tenths"]],
            key=a["id"],
            submitted_at=a["submitted"],
        )
        for a in apps
    ]
    ranked = rank(criteria, results)
    expected = sorted(
        apps, key=lambda a: sum(slow_precedes(criteria, b, a) for b in apps if b is not a)
    )
    assert [r.key for r in ranked] == [a["id"] for a in expected]
    assert [r.rank for r in ranked] == list(range(1, n + 1))


def test_tie_broken_by_the_largest_weight_criterion_then_earlier_submission():
    criteria = [Criterion("a", 10, 40), Criterion("b", 10, 60)]
    early = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    late = early + datetime.timedelta(hours=1)
    x = result_of(criteria, [{"a": Decimal(5), "b": Decimal(10)}], key="x", submitted_at=late)
    # three experts: a = 10; b = 6.7, 6.7, 6.6 (mean 20/3) → 40 + 40 = 80, as x
    z = result_of(
        criteria,
        [{"a": Decimal(10), "b": Decimal(b)} for b in ("6.7", "6.7", "6.6")],
        key="z",
        submitted_at=early,
    )
    assert z.total == x.total == Decimal("80.00")
    # x is higher on b, the criterion with the largest weight, though submitted later
    assert [r.key for r in rank(criteria, [z, x])] == ["x", "z"]
    w = result_of(criteria, [{"a": Decimal(5), "b": Decimal(10)}], key="w", submitted_at=early)
    assert [r.key for r in rank(criteria, [x, w])] == ["w", "x"]  # then the earlier submission
