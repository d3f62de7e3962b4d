"""Celery tasks of the kernel: thin, idempotent, loaded by id."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone


@shared_task
def fire_due_timers() -> None:
    """Run viewflow's timer dispatcher (the open edition has no beat task of its own)."""
    from viewflow.workflow import timers

    timers.fire_due_timers()
    fire_start = getattr(timers, "fire_due_start_timers", None)
    if fire_start is not None:
        fire_start()


@shared_task
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail each notification once; a second run sends nothing."""
    from .models import Notification

    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for note in pending:
        claimed = Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed or not note.recipient.email:
            continue
        send_mail(note.title, f"{note.body}\n\n{note.url}".strip(), None, [note.recipient.email])
        sent += 1
    return sent


# Not acknowledged late: a backup outlasting the broker's visibility timeout must not be
# delivered to a second worker. A lost run is caught up the next night; a second delivery
# finds tonight's folder and does nothing.
@shared_task(acks_late=False)
def backup_nightly() -> str:
    """The nightly backup into APP_BACKUP_DIR (beat, when that is set)."""
    from .backup import nightly

    folder = nightly(settings.BACKUP_DIR, keep=settings.BACKUP_KEEP)
    return str(folder or "")
