"""Limits per client on the public pages, counted in the shared cache.

The cache is the one every web process shares (Redis with CACHE_URL, otherwise
the database cache: see config/settings.py), so the limit holds across gunicorn
workers and restarts. The window starts at a client's first counted request and
lasts ``window`` seconds; the count goes up with one atomic increment
(``cache.add`` then ``cache.incr``: Redis INCR, or a locked row in the database).
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

from .netaddr import client_ip, rate_key


def limit_for(scope: str) -> tuple[int, int]:
    """(requests, seconds) of ``settings.RATE_LIMITS[scope]``."""
    limit, window = settings.RATE_LIMITS[scope]
    return int(limit), int(window)


def hit(scope: str, client: str, *, limit: int, window: int) -> bool:
    """Count one request of ``client``; True when it goes over ``limit`` in the window."""
    key = f"ratelimit:{scope}:{rate_key(client)}"
    for _attempt in range(3):
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key) > limit
        except ValueError:  # expired between add and incr: a new window
            continue
    return False


def over_limit(request, scope: str) -> bool:
    limit, window = limit_for(scope)
    return hit(scope, client_ip(request), limit=limit, window=window)


def too_many_requests(request, scope: str):
    """The 429 page: what was limited and when to try again."""
    limit, window = limit_for(scope)
    response = render(
        request,
        "429.html",
        {
            "message": _("同一网络在 %(minutes)s 分钟内最多访问 %(limit)s 次，请稍后再试。")
            % {"minutes": max(1, window // 60), "limit": limit},
        },
        status=429,
    )
    response["Retry-After"] = str(window)
    return response


def rate_limited(scope: str):
    """View decorator: every request counts; over the limit answers 429."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if over_limit(request, scope):
                return too_many_requests(request, scope)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
