"""WeasyPrint reads only the renderer's own fonts and images (docs_gen.fetching)."""

import io
import logging
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pdfplumber
import pytest
from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from docs_gen.fetching import RefusedURL, SafeURLFetcher, check_url
from docs_gen.fontcache import cut_path
from docs_gen.rendering import render_html, render_pdf
from tests.docs_gen.test_layout import _coloured, snapshot


def _png() -> bytes:
    """A 4×4 red PNG."""
    import struct

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def web_server():
    """A real HTTP server on a free loopback port that counts the requests it gets."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = _png() if self.path.endswith(".png") else b"body { color: red }"
            self.send_response(200)
            self.send_header(
                "Content-Type", "image/png" if self.path.endswith(".png") else "text/css"
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def outside_png(tmp_path):
    path = tmp_path / "outside" / "secret.png"
    path.parent.mkdir()
    path.write_bytes(_png())
    return path


# --- the rule itself -------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/static/x.png",
        "https://example.org/font.woff2",
        "ftp://example.org/x",
        "file:///etc/passwd",
        "file:/etc/passwd",
        "file:///usr/share/fonts/../../../etc/passwd",
        "file:///usr/share/fonts/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "file://attacker.example/usr/share/fonts/x.ttf",
        "data:text/css,@import url(http://127.0.0.1/)",
        "data:text/html,<img src=x>",
        "data:,hello",
        "javascript:alert(1)",
        "relative/path.css",
    ],
)
def test_anything_but_own_files_and_images_is_refused(url):
    with pytest.raises(RefusedURL):
        check_url(url)


def test_a_symbolic_link_out_of_an_allowed_directory_is_refused(tmp_path, monkeypatch):
    cache = tmp_path / "fonts"
    cache.mkdir()
    (cache / "passwd.otf").symlink_to("/etc/passwd")
    monkeypatch.setenv("DOCS_FONT_CACHE", str(cache))
    with pytest.raises(RefusedURL):
        check_url((cache / "passwd.otf").as_uri())


def test_own_fonts_static_files_and_generated_images_are_allowed(tmp_path, monkeypatch):
    cache = tmp_path / "fonts"
    cache.mkdir()
    (cache / "ZhijiSerifGB-Bold-v1.otf").write_bytes(b"x")
    monkeypatch.setenv("DOCS_FONT_CACHE", str(cache))
    check_url((cache / "ZhijiSerifGB-Bold-v1.otf").as_uri())
    check_url(Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc").as_uri())
    check_url((Path(settings.STATICFILES_DIRS[0]) / "any.css").as_uri())
    check_url((Path(settings.STATIC_ROOT) / "any.css").as_uri())
    check_url("data:image/svg+xml;charset=utf-8,%3Csvg%3E%3C/svg%3E")
    check_url("data:image/png;base64,iVBORw0KGgo=")


def test_the_fetcher_refuses_the_network_with_a_warning(web_server, caplog):
    base, hits = web_server
    fetcher = SafeURLFetcher()
    with caplog.at_level(logging.WARNING, logger="docs_gen.fetching"):
        with pytest.raises(RefusedURL):
            fetcher(f"{base}/a.png")
        with pytest.raises(RefusedURL):
            fetcher("file:///etc/passwd")
    assert hits == []
    assert "rendering refused to fetch" in caplog.text
    assert "/etc/passwd" in caplog.text


# --- renderings -------------------------------------------------------------------------
def test_markup_in_a_snapshot_is_text_and_fetches_nothing(web_server):
    base, hits = web_server
    pdf = render_pdf(
        snapshot(
            body=[
                {"type": "paragraph", "text": f'<img src="{base}/body.png">'},
                {"type": "paragraph", "text": f'<link rel="stylesheet" href="{base}/x.css">'},
            ],
            title=f'<img src="{base}/title.png">',
        )
    )
    assert hits == []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert "<img" in "".join(page.extract_text() or "" for page in doc.pages)


def _hostile_html(base: str, outside: Path) -> str:
    """The renderer's page with markup a snapshot cannot produce (its text is escaped):
    what a fault in the escaping would let through."""
    attack = (
        f'<link rel="stylesheet" href="{base}/linked.css">'
        f'<link rel="stylesheet" href="file:///etc/passwd">'
        f"<style>@import url({base}/imported.css); @import url(file:///etc/passwd);"
        f'@font-face {{ font-family: "Leak"; src: url(file:///etc/passwd); }}'
        f".x {{ background-image: url({base}/bg.png); font-family: Leak; }}</style>"
        f'<p class="x">x</p>'
        f'<img src="{base}/img.png"><img src="{outside.as_uri()}">'
        f'<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22%3E'
        f'%3Cimage href=%22{base}/nested.png%22 width=%2210%22 height=%2210%22/%3E%3C/svg%3E">'
    )
    return render_html(snapshot()).replace("</body>", attack + "</body>")


def _raster_images(pdf: bytes) -> int:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return sum(len(page.images) for page in doc.pages)


def test_a_rendering_with_hostile_markup_fetches_nothing(web_server, outside_png, caplog):
    base, hits = web_server
    html = _hostile_html(base, outside_png)
    with caplog.at_level(logging.WARNING, logger="docs_gen.fetching"):
        pdf = HTML(string=html, url_fetcher=SafeURLFetcher()).write_pdf()
    assert hits == []
    assert _raster_images(pdf) == 0  # neither the server's PNGs nor the file outside
    refused = caplog.text
    assert "/etc/passwd" in refused and str(outside_png) in refused and base in refused


def test_the_same_markup_with_weasyprints_default_fetcher_does_fetch(web_server, outside_png):
    """The control: without SafeURLFetcher the attack above would have worked."""
    base, hits = web_server
    pdf = HTML(string=_hostile_html(base, outside_png), url_fetcher=URLFetcher()).write_pdf()
    assert {"/linked.css", "/imported.css", "/img.png"} <= set(hits)
    assert _raster_images(pdf) >= 2


def test_an_issued_document_renders_with_its_seal_qr_code_and_fonts(caplog):
    with caplog.at_level(logging.WARNING):
        pdf = render_pdf(snapshot())
        bare = render_pdf(snapshot(verification=None, seal=False))
    assert "refused" not in caplog.text
    with pdfplumber.open(io.BytesIO(pdf)) as doc, pdfplumber.open(io.BytesIO(bare)) as bare_doc:
        last, bare_last = doc.pages[-1], bare_doc.pages[-1]
        fonts = {c["fontname"] for p in doc.pages for c in p.chars}
        # the seal: red outlined characters and rings
        assert [c for c in last.curves if _coloured(c)], "no seal"
        # the QR code (an SVG data: URI) draws its modules as a few hundred strokes
        assert len(last.lines) > len(bare_last.lines) + 100, "no QR code"
    if cut_path("title").exists():  # the GB 2312 cuts come in through the fetcher
        assert any("Zhiji-Serif-GB-Bold" in f for f in fonts), fonts
        assert any("Zhiji-Sans-GB" in f for f in fonts), fonts
