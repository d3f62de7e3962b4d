"""Working days for publicity periods: Monday to Friday.

Statutory holidays and make-up working days (调休) are not modelled yet; the
period is counted in weekdays only, as the issue asks.
"""

from datetime import date, timedelta


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_period(start: date, days: int) -> tuple[date, date]:
    """A period of ``days`` working days beginning on the first working day on or after ``start``.

    Returns (first day, last day); both inclusive.
    """
    if days < 1:
        raise ValueError("a period has at least one working day")
    first = next_working_day(start)
    last = first
    counted = 1
    while counted < days:
        last += timedelta(days=1)
        if is_working_day(last):
            counted += 1
    return first, last
