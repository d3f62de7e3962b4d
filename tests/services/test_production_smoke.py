"""Production mode serves: README's Production steps, then a real gunicorn behind a pretend
TLS proxy, a login per kind of account, every menu page and every asset those pages load.

The steps run as subprocesses with DJANGO_DEBUG=false, a random secret key, allowed hosts
and DOCS_PUBLIC_BASE_URL=https://…, on a PostgreSQL database of the test's own (the name of
DATABASE_URL's database + ``_smoke``, created and dropped here): migrate, demo data,
collectstatic into a temporary STATIC_ROOT, gunicorn on a port the kernel picks. Requests
carry ``Host`` = the allowed host and ``X-Forwarded-Proto: https``, as the proxy sends them.
"""

import gzip
import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin, urlsplit

import pytest

from tests.production import (
    ProxiedClient,
    gunicorn,
    is_local,
    manage,
    parse_page,
    production_env,
    stylesheet_references,
)

pytestmark = pytest.mark.services

HASHED_STATIC = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[A-Za-z0-9]+$")

# `manage.py load_demo`, with the demo passwords hashed at 1,000 PBKDF2 rounds instead of
# Django's 1,000,000 (60 accounts: half a minute saved). The hashes still verify with the
# production hashers; the first login upgrades them, as it would any old hash.
LOAD_DEMO = """
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
PBKDF2PasswordHasher.iterations = 1000
call_command("load_demo", verbosity=0)
"""


def _kind(row: dict) -> str:
    if row["role"] in ("expert", "admin"):
        return row["role"]
    name = row["username"]
    if name.startswith("leading-group-"):
        return "leading-group"
    if name.startswith("office-"):
        return "office"
    if re.match(r"s\d+-", name):
        return "school"
    return "bureau"


def _personas(accounts: list[dict]) -> list[dict]:
    """The first demo account of each role in each kind of unit (leading group, office,
    bureau, school), an expert and the administrator."""
    chosen: dict[tuple[str, str], dict] = {}
    for row in accounts:
        chosen.setdefault((_kind(row), row["role"]), row)
    return list(chosen.values())


def _smoke_database_url() -> tuple[str, str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.fail("DATABASE_URL must point at PostgreSQL: run through ./test.sh")
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'zhiji'}_smoke"
    admin = parts._replace(path="/postgres").geturl()
    return parts._replace(path=f"/{name}").geturl(), admin, name


def _recreate(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    db_url, admin_url, db_name = _smoke_database_url()
    env = production_env(tmp / "var", DATABASE_URL=db_url, DJANGO_STATIC_ROOT=str(tmp / "static"))
    # no worker runs: the demo's PDF and e-mail tasks wait in the file broker under tmp/var
    load_env = {**env, "DJANGO_LOG_LEVEL": "WARNING"}
    timings = {}

    def timed(label, *args, **kwargs):
        started = time.monotonic()
        result = manage(*args, **kwargs)
        timings[label] = round(time.monotonic() - started, 1)
        return result

    def database():
        timed("migrate", "migrate", "--noinput", "-v0", env=env)
        timed("load_demo", "shell", "-c", LOAD_DEMO, env=load_env)
        return json.loads(manage("demo_accounts", "--json", env=env).stdout)

    _recreate(admin_url, db_name)
    try:
        with ThreadPoolExecutor(2) as pool:  # collectstatic needs no database: both at once
            static = pool.submit(
                timed, "collectstatic", "collectstatic", "--noinput", "-v0", env=env
            )
            accounts = pool.submit(database)
            static.result()
            accounts = accounts.result()
        log_path = tmp / "gunicorn.log"
        with gunicorn(env, log_path) as port:
            print(f"production site ready on port {port}: {timings}")
            yield port, accounts, log_path
    finally:
        _recreate(admin_url, db_name, drop_only=True)


def _visit(port: int, account: dict) -> tuple[dict[str, int], set[str], list[str]]:
    """Log in, open the start page and every menu link: (status by page, asset
    references as absolute paths, problems)."""
    client = ProxiedClient(port)
    problems = []
    start = client.login(account["username"], account["password"])
    pages = {f"{start.path} (start)": start.status}
    assets, menu = parse_page(start.text)
    refs = {urljoin(start.path, a) for a in assets}
    if start.status != 200:
        problems.append(f"{account['username']}: start page {start.path} → {start.status}")
    if not menu:
        problems.append(f"{account['username']}: start page {start.path} shows no menu")
    for link in sorted(menu):
        if not is_local(link):
            problems.append(f"{account['username']}: menu link off the site: {link}")
            continue
        page = client.follow("GET", link)
        pages[link] = page.status
        if page.status != 200:
            problems.append(f"{account['username']}: {link} → {page.status} ({page.path})")
            continue
        found, _ = parse_page(page.text)
        refs |= {urljoin(page.path, a) for a in found}
    return pages, refs, problems


def test_production_mode_serves_every_menu_page_and_asset(production_site):
    port, accounts, log_path = production_site
    personas = _personas(accounts)
    # staff: the teachers and technicians who apply in their own name (dual-track promotion)
    assert {p["role"] for p in personas} == {
        "handler",
        "head",
        "leader",
        "staff",
        "expert",
        "admin",
    }
    assert {_kind(p) for p in personas} >= {"leading-group", "office", "bureau", "school"}

    anonymous = ProxiedClient(port)
    login_page = anonymous.request("GET", "/accounts/login/")
    login_assets, _ = parse_page(login_page.text)
    refs = {urljoin("/accounts/login/", a) for a in login_assets}
    problems: list[str] = []
    visited = 0
    with ThreadPoolExecutor(4) as pool:
        for pages, found, issues in pool.map(lambda a: _visit(port, a), personas):
            visited += len(pages)
            refs |= found
            problems += issues
    assert visited >= 3 * len(personas)

    # every asset, once; style sheets' url()s and @imports too
    off_site = sorted(r for r in refs if not is_local(r))
    assert not off_site, f"pages load assets from elsewhere (no CDN): {off_site}"
    fetched: dict[str, int] = {}
    gzipped = 0
    queue = sorted(refs)
    while queue:
        ref = queue.pop()
        path = ref.split("#", 1)[0]
        if path in fetched:
            continue
        resp = anonymous.request("GET", path)
        fetched[path] = resp.status
        if resp.status != 200 or not resp.body:
            problems.append(f"asset {path} → {resp.status}")
            continue
        if path.startswith("/static/") and not HASHED_STATIC.match(path.split("?", 1)[0]):
            problems.append(f"asset {path} is not a hashed (manifest) name")
        gzipped += resp.header("Content-Encoding") == "gzip"
        if path.split("?", 1)[0].endswith(".css"):
            body = gzip.decompress(resp.body) if resp.header("Content-Encoding") else resp.body
            for inner in stylesheet_references(body.decode("utf-8", "replace")):
                if not is_local(inner):
                    problems.append(f"{path} loads {inner} from elsewhere")
                else:
                    queue.append(urljoin(path, inner))

    print(f"{visited} pages as {len(personas)} accounts, {len(fetched)} assets")
    assert not problems, "\n".join(problems)
    kinds = {p.split("?", 1)[0].rsplit(".", 1)[-1] for p in fetched}
    assert {"css", "js", "woff2", "png", "svg"} <= kinds, kinds
    assert gzipped, "no asset was served compressed"
    log = log_path.read_text()
    assert "Traceback" not in log and "Internal Server Error" not in log, log[-5000:]
