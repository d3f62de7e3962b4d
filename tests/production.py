"""Helpers for the production-mode tests: the environment README's Production section sets,
collectstatic in a subprocess, and a small HTTP client for a real gunicorn behind a (pretend)
TLS-terminating proxy.

The client is http.client with its own cookie jar on purpose: the session and CSRF cookies are
``Secure`` in production, and an ordinary client would not send them back over the loopback
http:// connection that stands for the proxy's upstream hop.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "zhiji.test"

# Run manage.py with WhiteNoise's Brotli pass switched off: Brotli at its default quality 11
# takes minutes over viewflow's ~50 MB of bundled assets, gzip takes seconds. Hashing, the
# manifest and the reference rewriting (where the regression was) are the production code
# unchanged; gzip still goes through WhiteNoise's compressor.
_MANAGE_WITHOUT_BROTLI = """
import runpy, sys
import whitenoise.compress
whitenoise.compress.brotli_installed = False
compress_only = {compress_only!r}
if compress_only:
    whitenoise.compress.Compressor.should_compress = (
        lambda self, name: name.endswith(tuple(compress_only))
    )
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of README's Production section (a real random secret key, allowed
    hosts, the public base URL), on top of a copy of ours without Django or Celery settings.
    ``var_dir`` keeps the process's files (APP_VAR_DIR) out of the project's var/."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DOCS_PUBLIC", "CELERY_", "APP_"))
    }
    for name in ("DATABASE_URL", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    env.update(
        APP_VAR_DIR=str(var_dir),
        # issued PDFs are signed (docs_gen.signing): every process of a test signs with the
        # one test authority of the test run, as a deployment's machines share its keys
        DOCS_SIGNING_TEST_AUTHORITY="true",
        DOCS_SIGNING_DIR=str(Path(os.environ.get("APP_VAR_DIR", var_dir)) / "signing"),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DOCS_PUBLIC_BASE_URL=f"https://{HOST}",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(
    *args: str, env: dict[str, str], timeout: float = 300, compress_only: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """``manage.py *args`` in a subprocess (Brotli off, see above); fails with its output."""
    code = _MANAGE_WITHOUT_BROTLI.format(compress_only=list(compress_only))
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    )
    return result


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log_path: Path, *, workers: int = 2, threads: int = 4):
    """gunicorn as README starts it, on a port the kernel picks; yields the port."""
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0"]
            + ["--workers", str(workers), "--threads", str(threads), "--timeout", "60"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not (
            found := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())
        ):
            assert server.poll() is None, f"gunicorn stopped:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"gunicorn did not start:\n{log_path.read_text()}"
            time.sleep(0.2)
        port = int(found[1])
        while ProxiedClient(port).request("GET", "/accounts/login/").status != 200:
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def multipart(
    fields: dict[str, str], files: list[tuple[str, str, bytes, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body: (body, Content-Type). ``files``: (field, file name,
    content, content type)."""
    boundary = f"----zhiji{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for name, filename, content, content_type in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- references in pages and style sheets ---------------------------------------------------

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""")
_SOURCE_MAP = re.compile(r"""[#@]\s*sourceMappingURL=([^\s*'"]+)""")


class _PageParser(HTMLParser):
    """Collects the assets a page loads and the links of its left menu."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.assets: set[str] = set()
        self.menu_links: set[str] = set()
        self._menu_depth = 0  # >0 while inside the element with class vf-page__menu
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag not in ("link", "meta", "img", "input", "br", "hr", "source"):
            self._stack.append(tag)
            if self._menu_depth:
                self._menu_depth += 1
            elif "vf-page__menu" in classes:
                self._menu_depth = 1
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower().split()
            if {"stylesheet", "icon", "shortcut", "preload", "manifest", "apple-touch-icon"} & set(
                rel
            ):
                self.assets.add(a["href"])
        elif a.get("src") and (
            tag in ("script", "img", "source", "video", "audio", "iframe")
            or (tag == "input" and a.get("type") == "image")
        ):
            self.assets.add(a["src"])
        for style_url in _CSS_URL.findall(a.get("style") or ""):
            self.assets.add(style_url[1])
        if tag == "a" and self._menu_depth and a.get("href"):
            self.menu_links.add(a["href"])

    def handle_endtag(self, tag):
        if tag in ("link", "meta", "img", "input", "br", "hr", "source"):
            return
        while self._stack:
            top = self._stack.pop()
            if self._menu_depth:
                self._menu_depth -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if self._stack and self._stack[-1] == "style":
            for _q, ref in _CSS_URL.findall(data):
                self.assets.add(ref)


def parse_page(html: str) -> tuple[set[str], set[str]]:
    """(asset references, left-menu links) of a page, as written in it."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.assets, parser.menu_links


def stylesheet_references(css: str) -> set[str]:
    refs = {ref for _q, ref in _CSS_URL.findall(css)} | {r for _q, r in _CSS_IMPORT.findall(css)}
    refs |= set(_SOURCE_MAP.findall(css))
    return {r for r in refs if not r.startswith(("data:", "#"))}


def is_local(ref: str) -> bool:
    parts = urlsplit(ref)
    return not parts.scheme and not parts.netloc


# --- the client ------------------------------------------------------------------------------


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, path: str):
        self.status = status
        self.headers = headers
        self.body = body
        self.path = path

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class ProxiedClient:
    """Talks to gunicorn on 127.0.0.1:port as the TLS proxy in front of it would:
    ``Host`` is the public name, ``X-Forwarded-Proto: https``."""

    def __init__(self, port: int, host: str = HOST):
        self.port = port
        self.host = host
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict | bytes | None = None, **headers
    ) -> Response:
        """``body``: a dict (sent url-encoded) or bytes (sent as they are, with the
        ``Content-Type`` header given)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            hdrs = {
                "Host": self.host,
                "X-Forwarded-Proto": "https",
                "Accept-Encoding": "gzip",
                "Accept-Language": "zh-CN,zh;q=0.9",
                **headers,
            }
            if self.cookies:
                hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            data = None
            if isinstance(body, bytes):
                data = body
            elif body is not None:
                data = urlencode(body).encode()
                hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=data, headers=hdrs)
            raw = conn.getresponse()
            resp = Response(raw.status, raw.getheaders(), raw.read(), path)
        finally:
            conn.close()
        for name, value in resp.headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                val = rest.split(";", 1)[0]
                if "max-age=0" in value.lower() or not val.strip('"'):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val
        return resp

    def submit(self, page: str, fields: dict, files=(), action: str | None = None) -> Response:
        """A form as a browser sends it: GET ``page`` for the CSRF token, then POST
        ``fields`` and ``files`` ((field, file name, content, type)) as multipart/form-data
        to ``action`` (default: the page itself)."""
        form = self.request("GET", page)
        assert form.status == 200, f"{page} answered {form.status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token, f"{page} has no CSRF token"
        body, content_type = multipart({"csrfmiddlewaretoken": token[1], **fields}, list(files))
        origin = f"https://{self.host}"
        return self.request(
            "POST",
            action or page,
            body,
            **{"Content-Type": content_type, "Origin": origin, "Referer": origin + page},
        )

    def follow(self, method: str, path: str, body: dict | None = None, **headers) -> Response:
        """A request and its redirects; every hop must stay on https://HOST."""
        resp = self.request(method, path, body, **headers)
        for _ in range(10):
            if resp.status not in (301, 302, 303, 307, 308):
                return resp
            location = urljoin(f"https://{self.host}{resp.path}", resp.header("Location") or "")
            parts = urlsplit(location)
            assert (parts.scheme, parts.netloc) == ("https", self.host), (
                f"{resp.path} redirects off the site: {location}"
            )
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            resp = self.request("GET", target)
        raise AssertionError(f"too many redirects from {path}")

    def login(self, username: str, password: str) -> Response:
        """Through the real login form: GET it for the CSRF cookie and token, then POST."""
        page = self.request("GET", "/accounts/login/")
        assert page.status == 200, f"login page answered {page.status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token and "csrftoken" in self.cookies, "login page has no CSRF token"
        origin = f"https://{self.host}"
        resp = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token[1], "username": username, "password": password},
            Origin=origin,
            Referer=f"{origin}/accounts/login/",
        )
        assert resp.status == 302, f"login as {username} answered {resp.status}: {resp.text[:500]}"
        assert "sessionid" in self.cookies, f"login as {username} set no session"
        return self.follow("GET", resp.header("Location") or "/")
