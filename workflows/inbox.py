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


def register_inbox_provider(provider: Callable) -> Callable:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def inbox_rows(user) -> list[InboxRow]:
    rows: list[InboxRow] = []
    for provider in _PROVIDERS:
        rows.extend(provider(user))
    far = datetime.max.replace(tzinfo=None)
    return sorted(rows, key=lambda r: (r.due.replace(tzinfo=None) if r.due else far, r.title))
