"""Writes of the workflow kernel: the audit trail and notifications.

Every state change elsewhere in the project calls ``audit_record`` inside its
own transaction, so the audit row commits or rolls back with the change.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import AuditEntry, Membership, Notification, Unit
from .people import acting_name

User = get_user_model()


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
    """Append one row to the audit trail. ``actor`` None means the system (beat, worker).
    Inside ``workflows.delegation.acting_for`` the row names the principal too."""
    from .delegation import on_behalf_of

    principal = on_behalf_of(actor)
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=acting_name(actor, principal, nobody="系统"),
        on_behalf_of=principal,
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
    return _store(rows)


def _store(rows: list[Notification]) -> list[Notification]:
    """One INSERT for all ``rows``; one e-mail task for them once the transaction commits."""
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if not ids:  # backends that do not return ids from bulk_create
        titles = {n.title for n in rows}
        ids = list(
            Notification.objects.filter(title__in=titles, emailed_at__isnull=True)
            .order_by("-id")
            .values_list("pk", flat=True)[: len(rows)]
        )
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))
    return created


def notify_units(
    units: Iterable[Unit], *, title: str, body: str = "", url: str = "", roles=None
) -> None:
    """Notify the active members of each unit (with one of ``roles``; None: all but staff):
    one statement (INSERT … SELECT from the memberships), one e-mail task on commit."""
    from django.db import connection
    from django.utils import timezone

    units = list({u.pk: u for u in units}.values())
    if not units:
        return
    if not connection.features.can_return_rows_from_bulk_insert:
        qs = Membership.objects.filter(unit__in=units, user__is_active=True)
        qs = qs.filter(role__in=list(roles)) if roles is not None else qs.exclude(role="staff")
        qs = qs.select_related("user")
        _store(
            [
                Notification(
                    recipient=m.user, unit_id=m.unit_id, title=title[:200], body=body, url=url
                )
                for m in qs
            ]
        )
        return
    q = connection.ops.quote_name
    n, m, u = Notification._meta, Membership._meta, User._meta
    unit_marks = ", ".join(["%s"] * len(units))
    role_rule = (
        f"m.{q('role')} IN ({', '.join(['%s'] * len(roles))})"
        if roles is not None
        else f"m.{q('role')} <> %s"
    )
    sql = (
        f"INSERT INTO {q(n.db_table)} ({q('recipient_id')}, {q('unit_id')}, {q('title')}, "  # noqa: S608 (quoted names, bound values)
        f"{q('body')}, {q('url')}, {q('created_at')}) "
        f"SELECT m.{q('user_id')}, m.{q('unit_id')}, %s, %s, %s, %s "
        f"FROM {q(m.db_table)} m INNER JOIN {q(u.db_table)} u ON u.{q('id')} = m.{q('user_id')} "
        f"WHERE m.{q('unit_id')} IN ({unit_marks}) AND u.{q('is_active')} AND {role_rule} "
        f"RETURNING {q('id')}"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [title[:200], body, url, now, *[x.pk for x in units]]
    params += list(roles) if roles is not None else ["staff"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))


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


@transaction.atomic
def calendar_year_enter(*, year: int, basis: str, days: dict, actor):
    """The office enters (or replaces) a year's holidays and make-up working days.

    ``days``: date → (working?, name). Used by every working-day period of that year from
    now on (workflows.workdays), instead of the package or the bare weekday rule."""
    from django.core.exceptions import PermissionDenied

    from .access import units_of_kind
    from .models import CalendarDay, CalendarYear, UnitKind

    offices = units_of_kind(actor, UnitKind.OFFICE)
    if not (offices or actor.is_superuser):
        raise PermissionDenied(_("只有领导小组办公室可以录入节假日安排"))
    calendar, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"basis": basis.strip(), "entered_by": actor}
    )
    before = {str(d.day): d.working for d in calendar.days.all()}
    calendar.days.all().delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(calendar=calendar, day=day, working=working, name=name)
            for day, (working, name) in sorted(days.items())
        ]
    )
    audit_record(
        actor=actor,
        action="calendar_entered",
        obj=calendar,
        unit=offices[0] if offices else None,
        before=before or None,
        after={str(day): working for day, (working, _name) in sorted(days.items())},
        note=basis,
    )
    return calendar
