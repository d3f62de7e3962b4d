"""Celery tasks of the supervision: thin and idempotent."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def scan_deadlines() -> dict:
    """Daily: reminders 7/3/1 days before due, escalation of overdue branches.

    Safe to run any number of times a day: each reminder and escalation is recorded once.
    """
    from .services import deadlines_scan

    return deadlines_scan()
