"""Celery beat: close scoring at its deadline, remind experts before it."""

from celery import shared_task


@shared_task
def close_due_scoring() -> int:
    from .services import scoring_close_if_due, scoring_remind

    scoring_remind()
    return scoring_close_if_due()
