"""The cache the rate limits count in: shared by processes, kept across restarts, and
uploads capped while they are read."""

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory

from workflows import ratelimit

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_cache_is_the_database_one():
    if os.environ.get("CACHE_URL"):
        pytest.skip("CACHE_URL is set: the Redis cache is configured")
    assert django_settings.CACHES["default"]["BACKEND"] == "workflows.cache.AtomicDatabaseCache"


@pytest.mark.django_db
def test_the_database_cache_counts_and_expires(settings):
    assert cache.add("k", 0, timeout=60)
    assert [cache.incr("k") for _ in range(3)] == [1, 2, 3]
    assert not cache.add("k", 0, timeout=60)  # a live window is not restarted
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.set("old", 5, timeout=-1)
    with pytest.raises(ValueError):
        cache.incr("old")  # expired counts as missing: a new window begins


@pytest.mark.django_db
def test_the_limit_counts_per_client_and_scope():
    hits = [ratelimit.hit("t", "198.51.100.1", limit=3, window=60) for _ in range(5)]
    assert hits == [False, False, False, True, True]
    assert not ratelimit.hit("t", "198.51.100.2", limit=3, window=60)
    assert not ratelimit.hit("other", "198.51.100.1", limit=3, window=60)


_COUNT = textwrap.dedent(
    """
    import sys
    from workflows.ratelimit import hit
    print(sum(not hit("restart", "198.51.100.8", limit=10, window=3600) for _ in range(int(sys.argv[1]))))
    """
)


def _embedded(var_dir, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_")) and k not in ("DATABASE_URL", "CACHE_URL")
    }
    env.update(
        APP_VAR_DIR=str(var_dir), DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings"
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_count_survives_a_restart_in_the_embedded_mode(tmp_path):
    """SQLite file database, no Redis: `migrate` creates the cache table; one process uses
    7 of the 10, a second one (the restarted server) gets only the 3 left."""
    migrated = _embedded(tmp_path, "manage.py", "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    script = "import django; django.setup()\n" + _COUNT
    first = _embedded(tmp_path, "-c", script, "7")
    assert first.returncode == 0, first.stderr
    second = _embedded(tmp_path, "-c", script, "7")
    assert second.returncode == 0, second.stderr
    assert (first.stdout.strip(), second.stdout.strip()) == ("7", "3")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_threads_counting_at_once_lose_no_count(settings):
    """The database cache's increment locks its row (Django's own reads, then writes)."""
    from django.db import connection

    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "workflows.cache.AtomicDatabaseCache",
            "LOCATION": "zhiji_cache",
        }
    }
    results = []

    def attempt():
        try:
            results.append(ratelimit.hit("threads", "198.51.100.9", limit=10, window=60))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(False) == 10 and results.count(True) == 30


# --- the upload cap ---------------------------------------------------------------


def _parse(size):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import encode_multipart

    body = encode_multipart("B", {"file": SimpleUploadedFile("x.pdf", b"%" * size)})
    request = RequestFactory().post("/", body, content_type="multipart/form-data; boundary=B")
    return request.FILES["file"]


def test_a_file_over_the_cap_keeps_its_size_but_none_of_its_content(settings):
    settings.FILE_UPLOAD_MAX_BYTES = 100_000
    kept = _parse(100_000)
    assert kept.size == 100_000 and len(kept.read()) == 100_000
    over = _parse(300_000)
    assert over.size == 300_000
    assert over.read() == b""  # nothing past the cap was kept, in memory or on disk
