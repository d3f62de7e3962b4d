"""Shared helpers for the supervision tests."""

from datetime import date, timedelta

from tasks_registry.models import Branch, KeyTask
from tasks_registry.services import (
    branch_acknowledge,
    branch_complete,
    progress_report_submit,
    supervision_dispatch,
)


def dispatch(world, number: int, *, days: int = 90, start: date | None = None):
    start = start or date.today()
    return supervision_dispatch(
        task=KeyTask.objects.get(number=number),
        actor=world.office_handler,
        start_date=start,
        deadline=start + timedelta(days=days),
        requirements="按月报送进展",
    )


def branch_of(supervision, unit) -> Branch:
    return Branch.objects.get(supervision=supervision, unit=unit)


def finish(branch: Branch, user, percent_text="已完成") -> Branch:
    """Acknowledge (when needed), report 100% and declare done as ``user``."""
    if branch.state == "new":
        branch = branch_acknowledge(branch=branch, actor=user)
    progress_report_submit(branch=branch, actor=user, text=percent_text, percent=100)
    return branch_complete(branch=branch, actor=user, summary=percent_text)
