"""The test environment, set before pytest-django loads ``config.settings``.

Loaded as a plugin from ``addopts`` (``-p tests.env_defaults``): plugins given with
``-p`` are imported before pytest-django reads the settings, conftest files only after.
So plain ``pytest`` from the project root runs with the same environment ``test.sh``
exports; a variable already set (by ``test.sh``, CI or a developer) wins.

    CELERY_TASK_ALWAYS_EAGER=true  tasks run in the calling thread (test.sh exports it for
                                   both passes; tests that need a real worker start one
                                   with its own environment, tests/services)
    DJANGO_DEBUG=true              the embedded mode
    APP_VAR_DIR=<a temp dir>       never the project's var/ (broker files, SQLite, uploads)
    DOCS_FONT_CACHE=var/fonts      the GB 2312 font cuts setup.sh built, when they are there
                                   (otherwise each run rebuilds them in APP_VAR_DIR, ~40 s)
    APP_EXTRA_APPS=tests.approvals.trial_procedure
                                   a test-only procedure (a person applies, three steps, a
                                   round) that exercises the approvals kernel without dual plaque
"""

import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("APP_EXTRA_APPS", "tests.approvals.trial_procedure")
_created_var_dir = None
if not os.environ.get("APP_VAR_DIR"):
    # xdist workers inherit the controller's environment, so they share this directory,
    # as they share test.sh's
    _created_var_dir = tempfile.mkdtemp(prefix="zhiji-test.")
    os.environ["APP_VAR_DIR"] = _created_var_dir
if not os.environ.get("DOCS_FONT_CACHE") and any((ROOT / "var" / "fonts").glob("*.otf")):
    os.environ["DOCS_FONT_CACHE"] = str(ROOT / "var" / "fonts")


def pytest_unconfigure(config):
    """Remove the temp APP_VAR_DIR this process made (the xdist controller, or a plain run)."""
    if _created_var_dir and not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(_created_var_dir, ignore_errors=True)
