"""The scoring maths of pilot selection (annex task 6), exact until the end.

* The score of an application on a criterion is the mean of its experts' scores,
  the highest and the lowest dropped (one of each) when five or more experts scored.
* The total, out of 100, is the sum over the criteria of
  (criterion score ÷ the criterion's maximum × its weight), kept as an exact fraction
  and rounded half-up to two decimals only at the end.
* Ranking: the higher (rounded) total first; equal totals are broken by the higher
  score on the criterion with the largest weight (the first listed, if several share
  it), then by the earlier submission of the application.

Everything here is pure: lists of Decimals in, Fractions and Decimals out. The tests
compare it with a slow, obvious implementation (tests/approvals/pilot_selection).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

DROP_EXTREMES_FROM = 5  # experts: from this many on, the highest and lowest are dropped


@dataclass(frozen=True)
class Criterion:
    name: str
    max: int
    weight: int

    @classmethod
    def list_of(cls, raw: Sequence[dict]) -> list["Criterion"]:
        return [cls(str(c["name"]), int(c["max"]), int(c["weight"])) for c in raw]


def criterion_mean(scores: Sequence[Decimal]) -> Fraction | None:
    """The mean of the experts' scores on one criterion (None: nobody scored)."""
    if not scores:
        return None
    values = sorted(Fraction(s) for s in scores)
    if len(values) >= DROP_EXTREMES_FROM:
        values = values[1:-1]
    return sum(values, Fraction(0)) / len(values)


def weighted_total(criteria: Sequence[Criterion], means: dict[str, Fraction]) -> Fraction:
    """Σ (criterion score ÷ max × weight), exact."""
    return sum(
        (means[c.name] / c.max * c.weight for c in criteria),
        Fraction(0),
    )


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """``value`` rounded half-up (away from zero at .5) to ``places`` decimals."""
    scaled = abs(value) * 10**places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if value < 0 else 1
    return (Decimal(sign * whole) / Decimal(10**places)).quantize(Decimal(1).scaleb(-places))


def key_criterion(criteria: Sequence[Criterion]) -> Criterion:
    """The criterion with the largest weight (the first listed among equals): the tie-break."""
    return max(criteria, key=lambda c: c.weight)  # max keeps the first of equal keys


@dataclass
class Result:
    """One application's result: per-criterion means, the exact and the rounded total."""

    key: object  # the application (or anything identifying it)
    submitted_at: datetime | None
    means: dict[str, Fraction] = field(default_factory=dict)
    total_exact: Fraction | None = None
    total: Decimal | None = None
    rank: int = 0

    def mean_display(self, name: str) -> Decimal | None:
        value = self.means.get(name)
        return None if value is None else round_half_up(value)


def result_of(
    criteria: Sequence[Criterion],
    expert_scores: Sequence[dict[str, Decimal]],
    *,
    key=None,
    submitted_at=None,
) -> Result:
    """The result of one application from each submitted expert's {criterion: score}."""
    result = Result(key=key, submitted_at=submitted_at)
    if not expert_scores:
        return result
    for c in criteria:
        result.means[c.name] = criterion_mean([s[c.name] for s in expert_scores])
    result.total_exact = weighted_total(criteria, result.means)
    result.total = round_half_up(result.total_exact)
    return result


def rank(criteria: Sequence[Criterion], results: list[Result]) -> list[Result]:
    """Order ``results`` by the rule above and number them 1, 2, …; unscored last."""
    tie = key_criterion(criteria).name if criteria else None

    def order(r: Result):
        when = (r.submitted_at is None, r.submitted_at.timestamp() if r.submitted_at else 0)
        last = getattr(r.key, "pk", r.key)
        if r.total is None:
            return (1, 0, 0, when, last)
        return (0, -r.total, -r.means[tie], when, last)

    ordered = sorted(results, key=order)
    for index, r in enumerate(ordered, start=1):
        r.rank = index
    return ordered
