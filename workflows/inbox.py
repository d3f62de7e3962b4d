"""One inbox across every flow and every kind of pending work.

Apps register a provider: a function ``(user) -> list[InboxRow]``. The kernel
knows nothing of the procedures; it only merges and sorts what they report.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

_PROVIDERS: list[Callable] = []


@dataclass
class InboxRow:
    title: str  # what to do
    subject: str  # on what
    url: str
    unit: str = ""  # acting for which unit
    since: datetime | None = None
    due: datetime | None = None
    status: str = ""  # a short word: 待签收, 待审核 …
    light: str = ""  # green / amber / red, when a deadline applies
    on_behalf: str = ""  # the principal's name, for a row seen through a delegation


def register_inbox_provider(provider: Callable) -> Callable:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def _own_rows(user) -> list[InboxRow]:
    rows: list[InboxRow] = []
    for provider in _PROVIDERS:
        rows.extend(provider(user))
    return rows


def delegated_rows(user) -> list[InboxRow]:
    """The to-dos of the people ``user`` stands in for today, of the delegation's unit only:
    each principal's *own* rows (what was delegated to the principal is not passed on),
    linked through the delegation and marked with the principal's name."""
    from dataclasses import replace

    from .delegation import active_delegations_for, with_on_behalf
    from .people import display_name

    rows: list[InboxRow] = []
    for delegation in active_delegations_for(user):
        name = display_name(delegation.principal)
        rows.extend(
            replace(row, url=with_on_behalf(row.url, delegation), on_behalf=name)
            for row in _own_rows(delegation.principal)
            if row.unit == delegation.unit.name
        )
    return rows


def inbox_rows(user) -> list[InboxRow]:
    rows = _own_rows(user) + delegated_rows(user)
    far = datetime.max.replace(tzinfo=None)
    return sorted(rows, key=lambda r: (r.due.replace(tzinfo=None) if r.due else far, r.title))
