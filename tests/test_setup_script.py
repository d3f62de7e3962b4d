"""scripts/setup.sh waits for another apt instead of failing on its lock.

The real apt-get runs, on a private lists and cache directory with no sources (no
network, the machine's package lists untouched), while this process holds that lists
lock the way a running apt does (an fcntl lock).
"""

import fcntl
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETUP = (ROOT / "scripts" / "setup.sh").read_text()

pytestmark = pytest.mark.skipif(
    shutil.which("apt-get") is None or os.geteuid() != 0,
    reason="needs apt-get and root (setup.sh installs Debian packages only as root)",
)


def _function(name: str) -> str:
    start = SETUP.index(f"{name}() {{")
    return SETUP[start : SETUP.index("\n}\n", start) + 3]


def _apt_update(tmp_path: Path, sources: str, **env):
    """setup.sh's apt_update (and its APT_WAIT) with apt pointed at tmp_path."""
    (tmp_path / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (tmp_path / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    (tmp_path / "parts").mkdir(exist_ok=True)
    (tmp_path / "sources.list").write_text(sources)
    start = SETUP.index("APT_WAIT=(")
    apt_wait = SETUP[start : SETUP.index("\n", start)]
    private = (
        f"APT_WAIT+=(-o Dir::Etc::sourcelist={tmp_path}/sources.list "
        f"-o Dir::Etc::sourceparts={tmp_path}/parts -o Dir::State::Lists={tmp_path}/lists "
        f"-o Dir::Cache={tmp_path}/cache)"
    )
    log = 'log() { echo "[setup] $*"; }'
    script = "\n".join([log, apt_wait, private, _function("apt_update"), "apt_update"])
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={**os.environ, "APT_RETRY_SECONDS": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_install_and_update_wait_for_the_dpkg_lock():
    assert "APT_WAIT=(-o DPkg::Lock::Timeout=600)" in SETUP
    assert 'apt-get "${APT_WAIT[@]}" install' in SETUP
    assert "    apt_update\n" in SETUP
    assert "apt-get update -qq\n" not in SETUP  # no bare update left


def test_update_waits_while_another_apt_holds_the_lists_lock(tmp_path):
    (tmp_path / "lists").mkdir()
    fd = os.open(tmp_path / "lists" / "lock", os.O_RDWR | os.O_CREAT, 0o640)
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    released = []

    def release():
        time.sleep(4)
        released.append(time.monotonic())
        os.close(fd)

    threading.Thread(target=release).start()
    result = _apt_update(tmp_path, "")
    done = time.monotonic()
    assert result.returncode == 0, result.stderr
    assert released and done >= released[0]  # it finished only after the lock was free
    assert "waiting" in result.stdout


def test_update_gives_up_on_a_lock_that_stays(tmp_path):
    (tmp_path / "lists").mkdir()
    fd = os.open(tmp_path / "lists" / "lock", os.O_RDWR | os.O_CREAT, 0o640)
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        result = _apt_update(tmp_path, "", APT_RETRIES="2")
    finally:
        os.close(fd)
    assert result.returncode != 0
    assert "Could not get lock" in result.stderr


def test_update_fails_at_once_on_another_error(tmp_path):
    started = time.monotonic()
    result = _apt_update(tmp_path, "deb garbage\n")
    assert result.returncode != 0
    assert "Malformed entry" in result.stderr
    assert time.monotonic() - started < 30
