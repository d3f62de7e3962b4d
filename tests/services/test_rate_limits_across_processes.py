"""The objection limit under gunicorn with 4 worker processes behind a (simulated) proxy:
50 attempts at once from one citizen → exactly 10 lodged, another citizen behind the
same proxy still gets through, and a restart does not reset the count. Once with the
Redis cache (CACHE_URL), once with the database cache on PostgreSQL."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from approvals.common.models import Objection
from tests.approvals.conftest import to_publicity

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
LODGED = "异议已提交"
LIMITED = "同一网络一小时内最多提交 10 件异议"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env, log: Path):
        self.env, self.log, self.proc, self.port = env, log, None, None

    def start(self):
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "4",
                "--threads",
                "2",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/public/notices/")[0] == 200:
                    return
            except OSError:
                pass
            assert self.proc.poll() is None, self.log.read_text()
            time.sleep(0.3)
        pytest.fail(f"gunicorn did not answer: {self.log.read_text()[-2000:]}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()


def _objection(server, page, n, citizen):
    token = secrets.token_hex(16)  # an unmasked CSRF secret, 32 characters
    body = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "name": f"市民{n}",
            "contact": "13800000000",
            "reason": f"第 {n} 件：实训工位数量与实际不符。",
        }
    )
    status, text = server.request(
        "POST",
        page,
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={token}",
            "X-Forwarded-For": citizen,
        },
    )
    assert status == 200, text[:500]
    assert (LODGED in text) != (LIMITED in text), text[:500]
    return LODGED in text


@pytest.fixture(params=["redis", "database"])
def server(request, tmp_path):
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        DJANGO_DEBUG="true",
        CELERY_TASK_ALWAYS_EAGER="true",
        DJANGO_TRUSTED_PROXIES="127.0.0.1",  # the test plays the proxy
        CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex[:12]}",
    )
    env.pop("CACHE_URL", None)
    if request.param == "redis":
        redis_url = os.environ.get("TEST_REDIS_URL") or os.environ.get("CELERY_BROKER_URL", "")
        if not redis_url.startswith("redis://"):
            pytest.fail("TEST_REDIS_URL must point at Redis: run through ./test.sh")
        env["CACHE_URL"] = redis_url
    server = Server(env, tmp_path / "gunicorn.log")
    yield server
    server.stop()


def test_fifty_objections_at_once_through_four_processes_lodge_exactly_ten(world_tx, server):
    app = to_publicity(world_tx)
    page = reverse("public_notice", args=[app.latest_notice.public_id])
    server.start()
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda n: _objection(server, page, n, "198.51.100.1"), range(50)))
    assert results.count(True) == 10, server.log.read_text()[-3000:]
    assert Objection.objects.count() == 10
    # another citizen behind the same proxy has a bucket of its own
    assert [_objection(server, page, 100 + n, "198.51.100.2") for n in range(3)] == [True] * 3
    # a restart of the web server does not hand the first citizen a new hour
    server.stop()
    server.start()
    assert _objection(server, page, 200, "198.51.100.1") is False
    assert Objection.objects.count() == 13
