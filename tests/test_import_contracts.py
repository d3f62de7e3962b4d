"""The dependency direction holds (pyproject.toml [tool.importlinter]): workflows and docs_gen
import no procedure and no task registry, tasks_registry imports no approvals, the approvals
kernel imports no procedure. test.sh runs ``lint-imports``; this runs it under plain pytest."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept():
    result = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
