"""Reading the pages as their users do: in the language chosen, as the text shown."""

import html


def in_english(client):
    """``client`` after choosing English on the language switch (the session keeps it)."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def text_of(response) -> str:
    """The page's text with its HTML entities read as characters."""
    return html.unescape(response.content.decode())
