"""The suite's own scheduling (tests/conftest.py): what it names exists."""

from pathlib import Path

from tests.conftest import ONCE_MODULES

ROOT = Path(__file__).resolve().parents[1]


def test_the_modules_run_once_are_there():
    """A module renamed or removed would silently run in both passes."""
    assert [path for path in ONCE_MODULES if not (ROOT / path).exists()] == []
