"""Settings come from the environment and are parsed strictly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.pop("DATABASE_URL", None)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x7#kq2!v9Lm$Rt4pW8zN1bY6cH3jF0sD5gA2eQ7uI9oP4lK8mZ1xV3nB6tR0yE",
        DJANGO_ALLOWED_HOSTS="zhiji.example",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
