"""Writes of the workflow kernel: the audit trail and notifications.

Every state change elsewhere in the project calls ``audit_record`` inside its
own transaction, so the audit row commits or rolls back with the change.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import AuditEntry, Notification, Unit

User = get_user_model()


def _display_name(user) -> str:
    if user is None:
        return "系统"
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    unit: Unit | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one row to the audit trail. ``actor`` None means the system (beat, worker)."""
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=_display_name(actor),
        unit=unit,
        action=action,
        before=before,
        after=after,
        note=note,
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:255]
    entry.save()
    return entry


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    unit: Unit | None = None,
) -> list[Notification]:
    """Notify people in the app, and by e-mail once the transaction commits."""
    rows = [
        Notification(recipient=user, unit=unit, title=title[:200], body=body, url=url)
        for user in {u.pk: u for u in recipients}.values()
    ]
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if not ids:  # backends that do not return ids from bulk_create
        ids = list(
            Notification.objects.filter(title=title[:200], emailed_at__isnull=True)
            .order_by("-id")
            .values_list("pk", flat=True)[: len(rows)]
        )
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))
    return created


def unit_members(unit: Unit, roles: Iterable[str] | None = None):
    qs = User.objects.filter(memberships__unit=unit, is_active=True)
    if roles is not None:
        qs = qs.filter(memberships__role__in=list(roles))
    return qs.distinct()


def notification_mark_read(*, user, notification_id: int) -> None:
    from django.utils import timezone

    Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
