"""What WeasyPrint may read while it renders an official document: nothing from outside.

The renderer escapes every text it is given, so a snapshot cannot add markup; this is
defence in depth behind that. ``SafeURLFetcher`` answers only

- ``data:`` URIs of images (the QR code the renderer draws itself), and
- ``file://`` URLs of files under the project's static directories, STATIC_ROOT, the font
  cache (docs_gen.fontcache) and the Debian font directories,

and refuses everything else — http(s), ftp, other files (``file:///etc/passwd``, a
``..`` or a symbolic link out of those directories) — with a logged warning. WeasyPrint
then renders without the resource, as for any resource it cannot load.
"""

import logging
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)

SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
DATA_TYPES = ("image/svg+xml", "image/png", "image/jpeg", "image/gif")


class RefusedURL(ValueError):
    """A URL the renderer may not read."""


def allowed_roots() -> list[Path]:
    """The directories whose files a rendering may read, resolved (symbolic links followed)."""
    from django.conf import settings

    from .fontcache import cache_dir

    roots = [cache_dir(), *map(Path, SYSTEM_FONT_DIRS)]
    if settings.configured:  # outside Django (python -m docs_gen.fontcache): fonts only
        roots += [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    return [Path(os.path.realpath(r)) for r in roots]


def _file_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"a file on another host: {url}")
    return Path(os.path.realpath(unquote(parts.path)))


def check_url(url: str) -> None:
    """Raise RefusedURL unless a rendering may read ``url``."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        media_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
        if media_type not in DATA_TYPES:
            raise RefusedURL(f"a data: URI of type {media_type or '(none)'}")
        return
    if scheme != "file":
        raise RefusedURL(f"{scheme or 'a relative'} URL {url[:200]}")
    path = _file_path(url)
    if not any(path.is_relative_to(root) for root in allowed_roots()):
        raise RefusedURL(f"a file outside the static and font directories: {path}")


class SafeURLFetcher(URLFetcher):
    """WeasyPrint's fetcher, limited to check_url's rules: it never opens a network URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allowed_protocols", ("data", "file"))
        kwargs.setdefault("allow_redirects", False)
        super().__init__(**kwargs)

    def fetch(self, url, headers=None):
        try:
            check_url(url)
        except RefusedURL as refused:
            log.warning("rendering refused to fetch %s", refused)
            raise
        return super().fetch(url, headers)
