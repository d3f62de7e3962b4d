"""The public objection form's limit: 10 per hour per client, the real client behind
the proxy, a spoofed X-Forwarded-For ignored without one."""

import pytest
from django.urls import reverse

from approvals.common.models import Objection
from tests.approvals.conftest import to_publicity

PROXY = "10.0.0.5"
LIMIT_TEXT = "同一网络一小时内最多提交 10 件异议"


@pytest.fixture
def notice_page(world):
    app = to_publicity(world)
    return reverse("public_notice", args=[app.latest_notice.public_id])


def _object(client, page, n, **extra):
    return client.post(
        page,
        {
            "name": f"市民{n}",
            "contact": "13800000000",
            "reason": f"第 {n} 件：实训工位数量与实际不符。",
        },
        **extra,
    ).content.decode()


def test_the_eleventh_objection_within_the_hour_is_refused(client, notice_page):
    for n in range(10):
        assert "异议已提交" in _object(client, notice_page, n)
    refused = _object(client, notice_page, 10)
    assert LIMIT_TEXT in refused and "异议已提交" not in refused
    assert Objection.objects.count() == 10


def test_behind_a_trusted_proxy_each_citizen_has_a_bucket(client, notice_page, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(10):
        _object(client, notice_page, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert LIMIT_TEXT in _object(
        client, notice_page, 10, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    # another citizen behind the same proxy is not blocked by the first one
    other = _object(client, notice_page, 11, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert "异议已提交" in other
    assert Objection.objects.count() == 11


def test_without_a_trusted_proxy_a_spoofed_header_is_one_bucket(client, notice_page, settings):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        _object(
            client, notice_page, n, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}"
        )
    refused = _object(
        client, notice_page, 10, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert LIMIT_TEXT in refused
    assert Objection.objects.count() == 10


def test_the_limit_is_a_setting(client, notice_page, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "objection": (2, 3600)}
    _object(client, notice_page, 1)
    _object(client, notice_page, 2)
    assert "同一网络一小时内最多提交 2 件异议" in _object(client, notice_page, 3)
