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
    also_own: bool = False  # a 代 row that is the user's own to-do too (listed once)
    also_for: str = ""  # other principals whose to-do this 代 row is too
    # False: the page cannot be used on someone's behalf (a personal appointment such as
    # an expert's scoring), so the row is never passed on to a substitute
    delegable: bool = True


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
            if row.unit == delegation.unit.name and row.delegable
        )
    return rows


def _shared_once(own: list[InboxRow], delegated: list[InboxRow]) -> list[InboxRow]:
    """A to-do of the unit that the user may act on in their own right *and* through a
    delegation is listed once: as the 代 row, marked as the user's own too. The row is
    there because the principal is away and named the user for that work, so opening it
    records the principal's share as 李四（代 张三） (the principal stays answerable and
    reads it on the timeline); acting in one's own right stays possible from the page
    opened without the link. Two principals sharing one to-do: the first one's row, the
    others named in ``also_for``."""

    def key(row):
        return row.url.split("on_behalf=")[0].rstrip("?&"), row.title

    kept: dict = {}
    for row in delegated:
        first = kept.setdefault(key(row), row)
        if first is not row and row.on_behalf not in first.also_for.split("、"):
            first.also_for = "、".join(filter(None, [first.also_for, row.on_behalf]))
    for row in own:
        if key(row) in kept:
            kept[key(row)].also_own = True
    return [row for row in own if key(row) not in kept] + list(kept.values())


def inbox_rows(user) -> list[InboxRow]:
    rows = _shared_once(_own_rows(user), delegated_rows(user))
    far = datetime.max.replace(tzinfo=None)
    return sorted(rows, key=lambda r: (r.due.replace(tzinfo=None) if r.due else far, r.title))
