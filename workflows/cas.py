"""Compare-and-set: the second of two people acting on the same step gets a 409.

Two forms, one rule. Under a lock, ``expect_version`` compares the version the
actor's page was rendered with against the row as re-read; without a lock,
``compare_and_set`` makes the UPDATE itself conditional. Either way the loser
gets ``Conflict`` (HTTP 409, workflows.middleware) and nothing changes.
"""

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from .exceptions import Conflict, RuleViolation


def stale_message() -> str:
    return _("该事项已被他人办理或状态已变化，本次操作未生效。请刷新页面查看最新状态。")


def expect_version(obj, version: int | None, *, message: str | None = None) -> None:
    """``obj`` is re-read under its lock; ``version`` is what the actor saw (None: not asked).

    ``version`` arrives parsed by a form; anything but an int is refused here too.
    """
    if version is None:
        return
    if isinstance(version, bool) or not isinstance(version, int):
        raise RuleViolation(_("「版本号」格式不正确，请刷新页面后重试。"), field="version")
    if version != obj.version:
        raise Conflict(message or stale_message())


def compare_and_set(rows: QuerySet, *, message: str | None = None, **changes) -> None:
    """UPDATE exactly one row of ``rows`` (filtered on what the actor saw), bumping its version."""
    if rows.update(version=F("version") + 1, **changes) != 1:
        raise Conflict(message or stale_message())
