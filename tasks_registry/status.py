"""Status lights (红黄绿灯), computed from the data every time, never stored.

DESIGN.md §4.1.5: green on track; amber when the due date is near (``NEAR_DAYS``) or
reported progress lags the elapsed share of the time; red when overdue.

- A branch is *overdue* when it is not done and today (Asia/Shanghai) is after its due
  date; the due date itself is still on time.
- *Near*: 0 ≤ days left ≤ 7.
- *Lags*: percent < elapsed share × 100 − ``LAG_TOLERANCE_POINTS``. The tolerance keeps a
  unit that reports monthly from flickering amber between two reports.
- A done branch is green. A task's light is the worst light of its open branches; once
  the branches are all done it is red only if the task's own deadline passed before it
  was closed, and green when closed.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NEAR_DAYS = 7
LAG_TOLERANCE_POINTS = 10

GREEN, AMBER, RED = "green", "amber", "red"
LIGHT_ORDER = {GREEN: 0, AMBER: 1, RED: 2}
LIGHT_LABELS = {GREEN: _("正常推进"), AMBER: _("临期或滞后"), RED: _("逾期")}
NOT_DISPATCHED = _("未下达")


def local_today() -> date:
    return timezone.localdate()


def elapsed_share(start: date, due: date, today: date) -> float:
    """Share of the time from ``start`` to ``due`` that has passed, 0..1."""
    total = (due - start).days
    if total <= 0:
        return 1.0
    return min(max((today - start).days / total, 0.0), 1.0)


def branch_light(*, done: bool, start: date, due: date, percent: int, today: date) -> str:
    if done:
        return GREEN
    days_left = (due - today).days
    if days_left < 0:
        return RED
    if days_left <= NEAR_DAYS:
        return AMBER
    if percent < elapsed_share(start, due, today) * 100 - LAG_TOLERANCE_POINTS:
        return AMBER
    return GREEN


def worst(lights) -> str:
    result = GREEN
    for light in lights:
        if LIGHT_ORDER[light] > LIGHT_ORDER[result]:
            result = light
    return result


def task_light(
    *, branch_lights: list[str], closed: bool, all_done: bool, deadline: date, today: date
) -> str:
    if closed:
        return GREEN
    if not all_done:
        return worst(branch_lights)
    # consolidation and review: the task's own deadline applies
    days_left = (deadline - today).days
    if days_left < 0:
        return RED
    return AMBER if days_left <= NEAR_DAYS else GREEN


def days_left(due: date, today: date) -> int:
    return (due - today).days


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in Asia/Shanghai, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, datetime.max.time().replace(microsecond=0)))


def cycle_of(start: date, moment: date, cycle_months: int = 1) -> int:
    """The reporting cycle (1-based) that ``moment`` falls in: cycles are calendar months
    counted from the dispatch month, ``cycle_months`` long."""
    months = (moment.year - start.year) * 12 + (moment.month - start.month)
    return max(months, 0) // max(cycle_months, 1) + 1
