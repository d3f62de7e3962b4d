#!/usr/bin/env bash
# Everything the project needs on a fresh Debian machine with Python:
# Debian packages (fonts for official documents, chromium for browser tests,
# qpdf/poppler for PDF checks), a virtual environment with the locked Python
# dependencies, and the database schema. Safe to run again; quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# fonts-arphic-ukai: the 楷体 face for rare characters (docs_gen/fontcache.py);
# libharfbuzz-subset0: WeasyPrint subsets fonts with it (deterministic PDFs);
# libnss3-tools: certutil, for the trust store pdfsig checks signed documents against (tests);
# postgresql-client: pg_dump / pg_restore for manage.py backup and restore;
# chromium-headless-shell: the browser tests' chromium (tests/e2e/conftest.py)
APT_PACKAGES=(fonts-noto-cjk fonts-arphic-gkai00mp fonts-arphic-ukai libharfbuzz-subset0
  chromium chromium-headless-shell qpdf poppler-utils gettext libnss3-tools postgresql-client)

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# Another apt or dpkg (unattended-upgrades, a second setup.sh) may hold the locks: wait up
# to 10 minutes instead of failing at once. `install` waits by itself with
# DPkg::Lock::Timeout; `update` ignores that option for the lists lock (apt 2.6): retry it.
APT_WAIT=(-o DPkg::Lock::Timeout=600)
apt_update() {
  local attempt out
  for attempt in $(seq "${APT_RETRIES:-120}"); do
    if out=$(apt-get "${APT_WAIT[@]}" update -qq 2>&1); then
      [ -z "$out" ] || echo "$out" >&2
      return 0
    fi
    if ! grep -q "Could not get lock" <<<"$out"; then
      echo "$out" >&2
      return 1
    fi
    [ "$attempt" != 1 ] || log "another apt holds the lock: waiting (apt-get update)"
    sleep "${APT_RETRY_SECONDS:-5}"
  done
  echo "$out" >&2
  return 1
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=("python3-venv")
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages: ${missing[*]}"
    apt_update
    DEBIAN_FRONTEND=noninteractive apt-get "${APT_WAIT[@]}" install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

bash scripts/fonts.sh

if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.lock.sha256
want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing Python dependencies (requirements.lock)"
  # (this machine's pip.conf may list local indexes that do not exist: drop that noise)
  .venv/bin/python -m pip install -q --upgrade pip 2> >(grep -v "^WARNING: Location" >&2) >/dev/null
  .venv/bin/python -m pip install -q -r requirements.lock 2> >(grep -v "^WARNING: Location" >&2)
  echo "$want" > "$stamp"
fi

# GB 2312 cuts of the Noto CJK faces for small official-document PDFs
# (docs_gen/fontcache.py; ~40 s once, instant afterwards)
if ! ls var/fonts/ZhijiSansGB-Regular-v*.otf var/fonts/ZhijiSerifRare-Regular-v*.otf \
  var/fonts/ZhijiKaiRare-Regular-v*.ttf >/dev/null 2>&1; then
  log "building the GB 2312 font cuts for official documents"
  .venv/bin/python -m docs_gen.fontcache >/dev/null || log "font cuts not built; PDFs will be larger"
fi

# the local test authority that signs issued documents in the embedded mode, and a
# certificate per issuing unit once the database has them (docs_gen/signing.py; made on first
# use otherwise). Does nothing with DOCS_SIGNING_TEST_AUTHORITY off, as in production.
.venv/bin/python manage.py signing_keys --ensure >/dev/null ||
  log "signing keys not prepared now; they are made when the first document is signed"
