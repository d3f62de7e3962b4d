"""Settings come from the environment and are parsed strictly."""

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    check_public_base_url,
    embedded_host,
    embedded_public_base_url,
    env_bool,
    env_list,
    weak_secret_key_reason,
)

ROOT = Path(__file__).resolve().parents[1]


GOOD_KEY = "x7#kq2!v9Lm$Rt4pW8zN1bY6cH3jF0sD5gA2eQ7uI9oP4lK8mZ1xV3nB6tR0yE"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "DJANGO_ALLOWED_HOSTS": "zhiji.example",
    "DOCS_PUBLIC_BASE_URL": "https://zhiji.example",
    "APP_FILE_STORAGE": "database",  # README's Production section: several machines
}


def _environment(**env) -> dict[str, str]:
    """This process's environment without the settings under test, plus ``env``."""
    return {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DOCS_PUBLIC_"))
            and k not in ("DATABASE_URL", "HOST", "PORT")
        },
        **env,
    }


def _run(argv, **env):
    return subprocess.run(
        argv, cwd=ROOT, env=_environment(**env), capture_output=True, text=True, timeout=120
    )


def _manage(*args, **env):
    return _run([sys.executable, "manage.py", *args], **env)


def _settings(**env):
    """``config/settings.py`` evaluated afresh with ``_environment(**env)`` as the whole
    environment, as for a new process: the first thing ``django.setup()`` does, so a
    refusal here is a process that stops. Returns the module; raises its
    ``ImproperlyConfigured``. In this process: the apps are not set up a second time."""
    spec = importlib.util.spec_from_file_location(
        "config._settings_under_test", ROOT / "config" / "settings.py"
    )
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, _environment(**env), clear=True):
        spec.loader.exec_module(module)
    return module


def test_a_misspelt_boolean_stops_the_process(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "flase")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG", True)


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "zhiji.tz.gov.cn, 10.1.2.3 ,")
    assert env_list("DJANGO_ALLOWED_HOSTS", []) == ["zhiji.tz.gov.cn", "10.1.2.3"]


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="zhiji.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_the_deploy_check_reports_nothing_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "storage",
    [{"APP_FILE_STORAGE": "filesystem"}, {"APP_FILE_STORAGE": ""}],
    ids=["filesystem", "default"],
)
def test_the_deploy_check_warns_that_files_on_the_file_system_are_this_machines_only(storage):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, **storage})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "(zhiji.W001)" in output
    assert "on this machine only" in output
    assert "APP_FILE_STORAGE=database" in output and "APP_MEDIA_SHARED=true" in output


def test_the_deploy_check_trusts_a_shared_volume_once_it_is_declared():
    env = {**PRODUCTION, "APP_FILE_STORAGE": "filesystem", "APP_MEDIA_SHARED": "true"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr
    assert "zhiji.W001" not in result.stdout + result.stderr


def test_an_unknown_file_storage_stops_the_process():
    with pytest.raises(ImproperlyConfigured) as refused:
        _settings(APP_FILE_STORAGE="ftp")
    assert "APP_FILE_STORAGE='ftp' is not one of filesystem, database, s3" in str(refused.value)


def test_the_object_store_needs_django_storages():
    if importlib.util.find_spec("storages") is not None:
        pytest.skip("django-storages is installed here")
    with pytest.raises(ImproperlyConfigured, match="APP_FILE_STORAGE=s3 needs django-storages"):
        _settings(APP_FILE_STORAGE="s3", APP_S3_BUCKET="zhiji")


def test_the_nightly_backup_is_scheduled_only_with_a_backup_folder(tmp_path):
    without = _settings().CELERY_BEAT_SCHEDULE
    assert "backup_nightly" not in str(without)
    scheduled = _settings(APP_BACKUP_DIR=str(tmp_path), APP_BACKUP_HOUR="3").CELERY_BEAT_SCHEDULE
    (entry,) = [e for e in scheduled.values() if e["task"] == "workflows.tasks.backup_nightly"]
    assert str(entry["schedule"]) == "<crontab: 30 3 * * * (m/h/dM/MY/d)>"
    with pytest.raises(ImproperlyConfigured, match="APP_BACKUP_HOUR must be an hour from 0 to 23"):
        _settings(APP_BACKUP_DIR=str(tmp_path), APP_BACKUP_HOUR="24")


# --- the secret key ------------------------------------------------------------------
def test_production_refuses_the_public_debug_key():
    from django.conf import settings

    with pytest.raises(ImproperlyConfigured) as refused:
        _settings(**{**PRODUCTION, "DJANGO_SECRET_KEY": settings.DEBUG_SECRET_KEY})
    assert "DJANGO_SECRET_KEY is refused when DJANGO_DEBUG is false" in str(refused.value)
    assert "public debug key" in str(refused.value)


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("s3cr3t-but-short-0123456789", "27 characters"),
        ("ab" * 40, "2 different characters"),
        ("django-insecure-" + "k2!v9Lm$Rt4pW8zN1bY6cH3jF0sD5gA2eQ7uI9oP4lK8mZ", "startproject"),
    ],
)
def test_production_refuses_a_weak_key(key, reason):
    with pytest.raises(ImproperlyConfigured) as refused:
        _settings(**{**PRODUCTION, "DJANGO_SECRET_KEY": key})
    assert "DJANGO_SECRET_KEY is refused" in str(refused.value)
    assert reason in str(refused.value)


def test_the_debug_mode_keeps_its_fixed_key():
    from django.conf import settings

    assert _settings(DJANGO_DEBUG="true").SECRET_KEY == settings.DEBUG_SECRET_KEY


def test_weak_key_rules_are_djangos():
    assert weak_secret_key_reason(GOOD_KEY, debug_key="d" * 60) is None
    assert weak_secret_key_reason("d" * 60, debug_key="d" * 60)
    assert weak_secret_key_reason(GOOD_KEY[:49], debug_key="")
    assert weak_secret_key_reason("abcd" * 20, debug_key="")  # 4 different characters
    assert weak_secret_key_reason("abcde" * 10, debug_key="") is None


# --- where QR codes point ------------------------------------------------------------
def test_production_requires_the_public_base_url():
    env = {k: v for k, v in PRODUCTION.items() if k != "DOCS_PUBLIC_BASE_URL"}
    with pytest.raises(
        ImproperlyConfigured, match="DOCS_PUBLIC_BASE_URL is required when DJANGO_DEBUG is false"
    ):
        _settings(**env)


@pytest.mark.parametrize(
    "url",
    ["zhiji.example.gov.cn", "/verify/", "ftp://zhiji.example", "https://", "https://h:port/"],
)
def test_the_public_base_url_must_be_an_absolute_http_url(url):
    with pytest.raises(ImproperlyConfigured, match="DOCS_PUBLIC_BASE_URL="):
        _settings(**{**PRODUCTION, "DOCS_PUBLIC_BASE_URL": url})
    with pytest.raises(ImproperlyConfigured):
        check_public_base_url("DOCS_PUBLIC_BASE_URL", url)


def test_production_takes_the_public_base_url_as_given():
    given = _settings(
        **{**PRODUCTION, "DOCS_PUBLIC_BASE_URL": "https://zhiji.example.gov.cn/zhiji/"}
    )
    assert given.DOCS_PUBLIC_BASE_URL == "https://zhiji.example.gov.cn/zhiji"


def test_the_embedded_mode_derives_the_public_base_url_from_host_and_port():
    assert _settings(PORT="8101").DOCS_PUBLIC_BASE_URL == "http://127.0.0.1:8101"

    given = _settings(HOST="10.1.2.3", PORT="8102")
    assert given.DOCS_PUBLIC_BASE_URL == "http://10.1.2.3:8102"
    assert "10.1.2.3" in given.ALLOWED_HOSTS  # the address the QR code opens is served

    defaults = _settings(DJANGO_DEBUG="true")
    assert defaults.DOCS_PUBLIC_BASE_URL == "http://127.0.0.1:8000"  # run.sh's defaults


WILDCARD = "0.0.0.0"  # noqa: S104 - a value of HOST, nothing binds it here


def test_a_wildcard_host_gives_an_address_others_can_open():
    given = _settings(HOST=WILDCARD, PORT="8103")
    name = embedded_host(WILDCARD)
    assert name in (socket.gethostname(), "127.0.0.1")
    assert f"http://{name}:8103" == given.DOCS_PUBLIC_BASE_URL
    assert name in given.ALLOWED_HOSTS
    assert embedded_public_base_url("::1", 8000) == "http://[::1]:8000"
    assert embedded_public_base_url("[::1]", 8000) == "http://[::1]:8000"


def test_the_embedded_mode_still_checks_a_given_public_base_url():
    with pytest.raises(ImproperlyConfigured, match="absolute http:// or https:// URL"):
        _settings(DOCS_PUBLIC_BASE_URL="localhost:8000")


def test_run_sh_exports_host_and_port_to_its_processes():
    """The worker renders the PDFs: it must see the HOST and PORT gunicorn binds."""
    script = (ROOT / "run.sh").read_text()
    assert "export HOST PORT" in script
    assert script.index("export HOST PORT") < script.index("manage.py load_demo")
    assert script.index("export HOST PORT") < script.index("celery -A config worker")
