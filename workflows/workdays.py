"""Working days by China's official calendar, for every period in the system.

Which days are worked is decided, for each year, by the first source that has it:

1. the office's own entry for that year (``CalendarYear`` with its ``CalendarDay`` rows:
   holidays and make-up working days, 调休), for a year the package does not cover yet —
   the State Council publishes each year's arrangement in the autumn before;
2. the ``chinese-calendar`` package (the published arrangements it carries);
3. otherwise Monday to Friday, and ``calendar_source`` says so.

``calendar_source(year)`` names the source, so pages can say which one a period used.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from django.utils.translation import gettext as _

PACKAGE = "chinese-calendar"


@dataclass(frozen=True)
class YearCalendar:
    year: int
    source: str  # "office" | "package" | "weekdays"
    # day → worked? for the days that differ from Monday–Friday (office entries)
    exceptions: dict

    def is_working_day(self, day: date) -> bool:
        if self.source == "package":
            return chinese_calendar.is_workday(day)
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=64)
def _package_year(year: int) -> bool:
    return _package_covers(year)


def office_years() -> set[int]:
    """The years the office has entered a calendar for."""
    from .models import CalendarYear

    return set(CalendarYear.objects.order_by().values_list("year", flat=True))


def year_calendar(year: int, office: set[int] | None = None) -> YearCalendar:
    """``office``: the years the office has entered, when already known."""
    from .models import CalendarDay, CalendarYear

    if office is not None:
        entered = year in office
    else:
        entered = CalendarYear.objects.filter(year=year).exists()
    if entered:
        exceptions = dict(
            CalendarDay.objects.filter(calendar__year=year).values_list("day", "working")
        )
        return YearCalendar(year, "office", exceptions)
    if _package_year(year):
        return YearCalendar(year, "package", {})
    return YearCalendar(year, "weekdays", {})


class _Years:
    """The calendars of one computation or one ``calendar_cached`` block: each year's, and
    which years the office has entered (read at the first year asked for)."""

    def __init__(self):
        self.calendars: dict[int, YearCalendar] = {}
        self.office: set[int] | None = None

    def get(self, year: int) -> YearCalendar:
        if year not in self.calendars:
            if self.office is None:
                self.office = office_years()
            self.calendars[year] = year_calendar(year, self.office)
        return self.calendars[year]


_SCOPE: contextvars.ContextVar[_Years | None] = contextvars.ContextVar("workdays", default=None)


@contextmanager
def calendar_cached():
    """Within the block, which years the office has entered is read once (one query for
    all years: a period in December runs into the next year) and each year's calendar
    once (one service call: a transition computes the step's time limit and, at a notice
    step, the notice's period); a year the office enters meanwhile is seen by the next
    call."""
    if _SCOPE.get() is not None:
        yield
        return
    token = _SCOPE.set(_Years())
    try:
        yield
    finally:
        _SCOPE.reset(token)


class WorkingDays:
    """The calendar for one computation: each year's source is read once (once for the
    whole block inside ``calendar_cached``)."""

    def __init__(self):
        self._years = _SCOPE.get() or _Years()

    def year(self, year: int) -> YearCalendar:
        return self._years.get(year)

    def is_working_day(self, day: date) -> bool:
        return self.year(day.year).is_working_day(day)

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_period(self, start: date, days: int) -> tuple[date, date]:
        """``days`` working days from the first working day on or after ``start`` (inclusive)."""
        if days < 1:
            raise ValueError("a period has at least one working day")
        first = self.next_working_day(start)
        return first, self.add(first, days - 1)

    def add(self, day: date, days: int) -> date:
        """The working day ``days`` working days after ``day``."""
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when past)."""
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def sources(self, start: date, end: date) -> list[str]:
        return [calendar_source(y, self.year(y)) for y in range(start.year, end.year + 1)]


def is_working_day(day: date) -> bool:
    return WorkingDays().is_working_day(day)


def working_period(start: date, days: int) -> tuple[date, date]:
    return WorkingDays().working_period(start, days)


def add_working_days(day: date, days: int) -> date:
    return WorkingDays().add(day, days)


def working_days_between(start: date, end: date) -> int:
    return WorkingDays().between(start, end)


def calendar_source(year: int, calendar: YearCalendar | None = None) -> str:
    """Which source the year's working days come from, in words."""
    calendar = calendar or year_calendar(year)
    if calendar.source == "office":
        return _("%(year)s年：领导小组办公室录入的节假日和调休安排") % {"year": year}
    if calendar.source == "package":
        return _("%(year)s年：国务院办公厅公布的节假日和调休安排（%(package)s %(version)s）") % {
            "year": year,
            "package": PACKAGE,
            "version": getattr(chinese_calendar, "__version__", ""),
        }
    return _("%(year)s年：放假安排尚未公布或录入，暂按周一至周五计算") % {"year": year}
