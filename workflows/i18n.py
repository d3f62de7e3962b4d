"""Stored text is Chinese whatever language the acting user reads the UI in.

What is stored (titles, step labels, public notices, notifications for others, audit
notes, batch labels) is written in Chinese; pages translate stored labels back with
``{% trans value %}`` / ``gettext(value)`` (their Chinese text is the msgid). Messages
shown to the actor (errors, refusals, "saved") stay in the actor's language.
Official documents (公文) are Chinese in every UI language: their layout data and
rendering never go through the catalogue.
"""

import functools

from django.utils import translation

STORED_LANGUAGE = "zh-hans"


def in_chinese(fn):
    """Run ``fn`` with Chinese as the active language (see above)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with translation.override(STORED_LANGUAGE):
            return fn(*args, **kwargs)

    return wrapper


def stored(text, **values) -> str:
    """``text % values`` for the database: Chinese, lazy labels evaluated in Chinese."""
    with translation.override(STORED_LANGUAGE):
        text = str(text)
        return text % {k: str(v) for k, v in values.items()} if values else text
