"""The real client address: X-Forwarded-For counts only when a trusted proxy sent it."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from tests.factories import PASSWORD
from workflows.netaddr import client_ip, parse_networks, rate_key

PROXY = "10.0.0.5"


def _request(remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.7"]
    # the client sent a forged entry first; the proxies appended what they saw
    assert client_ip(_request(PROXY, "1.1.1.1, 198.51.100.20, 192.0.2.7")) == "198.51.100.20"
    assert client_ip(_request(PROXY, "198.51.100.20")) == "198.51.100.20"
    # no header: the proxy itself
    assert client_ip(_request(PROXY)) == PROXY
    # every hop trusted: the left-most
    assert client_ip(_request(PROXY, "10.0.0.9, 192.0.2.7")) == "10.0.0.9"
    # garbage where a proxy would have written an address: stop at the last trusted hop
    assert client_ip(_request(PROXY, "junk, 192.0.2.7")) == "192.0.2.7"
    # ports and IPv6 as proxies write them
    assert client_ip(_request(PROXY, "198.51.100.20:5123")) == "198.51.100.20"
    assert client_ip(_request(PROXY, "[2001:db8::1]:443")) == "2001:db8::1"


def test_a_peer_that_is_not_a_trusted_proxy_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_proxy_count_takes_the_nth_address_from_the_right(settings):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(PROXY, "6.6.6.6, 198.51.100.20, 10.0.0.4")) == "198.51.100.20"
    assert client_ip(_request(PROXY, "198.51.100.20")) == "198.51.100.20"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]  # with both: only from a trusted peer
    assert client_ip(_request("203.0.113.9", "6.6.6.6, 198.51.100.20")) == "203.0.113.9"


def test_ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4():
    assert (
        rate_key("2001:db8:1:2:aaaa::1") == rate_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    )
    assert client_ip(_request("::ffff:198.51.100.3")) == "198.51.100.3"


def test_a_misspelt_proxy_network_stops_the_start():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_TRUSTED_PROXIES"):
        parse_networks(["10.0.0.0/33"])


# --- django-axes locks the client, not the proxy ------------------------------------


def _login(client, username, password, forwarded, remote=PROXY):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_the_proxy_axes_locks_the_attacker_not_the_user(client, world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    username = world.school_handler.username
    for _ in range(5):
        _login(client, username, "wrong", "198.51.100.66")
    assert _login(client, username, PASSWORD, "198.51.100.66").status_code == 429
    assert AccessAttempt.objects.filter(username=username, ip_address="198.51.100.66").exists()
    # the real user, behind the same proxy, signs in
    assert _login(client, username, PASSWORD, "198.51.100.7").status_code == 302


def test_without_a_trusted_proxy_a_spoofed_header_does_not_dodge_the_lockout(
    client, world, settings
):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_COUNT = 0
    username = world.school_handler.username
    for n in range(5):
        _login(client, username, "wrong", f"198.51.100.{n}", remote="203.0.113.9")
    locked = _login(client, username, PASSWORD, "198.51.100.99", remote="203.0.113.9")
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_TRUSTED_PROXIES", "10.0.0.0/33", "DJANGO_TRUSTED_PROXIES"),
        ("DJANGO_TRUSTED_PROXY_COUNT", "-1", "DJANGO_TRUSTED_PROXY_COUNT"),
        ("CACHE_URL", "memcached://x", "CACHE_URL"),
    ],
)
def test_a_bad_proxy_or_cache_setting_stops_the_process(variable, value, message):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))}
    env.update({"DJANGO_DEBUG": "true", variable: value})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert message in result.stderr
