"""Celery tasks of the approvals kernel: thin, idempotent."""

from celery import shared_task
from django.utils import timezone


@shared_task
def close_due_public_notices() -> int:
    """Beat: move every public notice whose period is over (and objections handled) on."""
    from .models import NoticeStatus, PublicNotice
    from .services import public_notice_close_if_due

    today = timezone.localdate()
    closed = 0
    for notice_id in PublicNotice.objects.filter(
        status=NoticeStatus.OPEN, ends_on__lt=today
    ).values_list("pk", flat=True):
        closed += bool(public_notice_close_if_due(notice_id=notice_id, today=today))
    return closed


@shared_task
def scan_step_deadlines() -> dict:
    """Beat (hourly): remind the units a step waits on one working day before its limit, and
    tell the office once the limit has passed. Idempotent: once per kind and entry."""
    from .services import step_deadline_alerts

    return step_deadline_alerts(today=timezone.localdate())
