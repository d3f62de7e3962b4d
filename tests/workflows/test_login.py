"""Login: each role lands on its own start page; repeated failures lock username+IP for 15 minutes."""

import pytest
from axes.models import AccessAttempt

from tests.factories import PASSWORD


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.mark.parametrize(
    ("persona", "start"),
    [
        ("leader", "/dashboard/"),
        ("office_handler", "/dashboard/"),
        ("edu_handler", "/workbench/inbox/"),
        ("hrss_head", "/workbench/inbox/"),
        ("school_handler", "/applications/"),
        ("expert", "/workbench/inbox/"),
    ],
)
def test_each_role_lands_on_its_start_page(client, world, persona, start):
    user = getattr(world, persona)
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == start


def test_a_wrong_password_is_refused_in_chinese(client, world):
    response = _login(client, world.school_handler.username, "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_five_failures_lock_the_username_on_that_ip(client, world, settings):
    username = world.school_handler.username
    for _ in range(5):
        _login(client, username, "wrong")
    locked = _login(client, username, PASSWORD)
    assert locked.status_code == 429
    assert "锁定 15 分钟" in locked.content.decode()
    assert AccessAttempt.objects.filter(username=username, ip_address="10.0.0.1").exists()
    # the same person from another address, and another person from this one, still get in
    assert _login(client, username, PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert _login(client, world.other_school_handler.username, PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_15_minute_cool_off(client, world, settings):
    import time_machine
    from django.utils import timezone

    username = world.school_handler.username
    for _ in range(5):
        _login(client, username, "wrong")
    assert _login(client, username, PASSWORD).status_code == 429
    with time_machine.travel(
        timezone.now() + settings.AXES_COOLOFF_TIME + timezone.timedelta(seconds=5)
    ):
        assert _login(client, username, PASSWORD).status_code == 302


def test_the_ui_is_chinese_even_for_an_english_browser(client, world):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans"' in response.content.decode()


def test_english_can_be_chosen(client, world):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert '<html lang="en"' in response.content.decode()
