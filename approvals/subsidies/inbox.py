"""Award imports waiting on the user's bureau, for the one inbox."""

from django.urls import reverse
from django.utils.translation import gettext as _

from workflows.access import is_member
from workflows.inbox import InboxRow
from workflows.models import Role
from workflows.units import unit_by_code

from .models import AwardImport, AwardStatus


def awards_inbox(user) -> list[InboxRow]:
    if not user.is_authenticated:
        return []
    try:
        hr, fin = unit_by_code("hrss"), unit_by_code("finance")
    except Exception:  # noqa: BLE001 - a database without the plan's units: nothing waits
        return []
    waiting = []
    if is_member(user, hr, (Role.HEAD, Role.LEADER)):
        waiting.append((AwardStatus.IMPORTED, _("审核竞赛获奖奖励名单"), hr))
    if is_member(user, hr, (Role.LEADER,)):
        waiting.append((AwardStatus.PAID, _("签发竞赛获奖表彰决定"), hr))
    if is_member(user, fin):
        waiting.append((AwardStatus.REVIEWED, _("竞赛获奖奖励预算审核"), fin))
        waiting.append((AwardStatus.FUNDED, _("竞赛获奖奖励拨付"), fin))
    rows = []
    for status, title, unit in waiting:
        for imp in AwardImport.objects.filter(status=status):
            rows.append(
                InboxRow(
                    title=title,
                    subject=imp.title,
                    unit=unit.name,
                    url=reverse("subsidies:award", args=[imp.public_id]),
                    since=imp.created_at,
                    status=str(AwardStatus(status).label),
                )
            )
    return rows
