"""What a worker process keeps between renders (docs_gen.rendering._Renderer) changes no
byte of a PDF: each equals what plain WeasyPrint makes of the same standalone HTML with a
fresh font configuration, also for renders from several threads at once."""

import tempfile
import threading

import pytest
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from docs_gen.fetching import SafeURLFetcher
from docs_gen.rendering import RENDERER, _colophon_on_a_back_page, render_html, render_issued
from tests.docs_gen.conftest import two_page_body
from tests.docs_gen.test_layout import snapshot


def plain(snap: dict) -> bytes:
    """Plain WeasyPrint on the standalone page, fresh fonts each time, the 版记 moved to a
    back page of its own as render_issued decides."""

    def layout(**options):
        html = render_html(snap, **options)
        return HTML(string=html, url_fetcher=SafeURLFetcher()).render(
            font_config=FontConfiguration()
        )

    document = layout()
    if not _colophon_on_a_back_page(document):
        document = layout(back_page=True)
    return document.write_pdf()


@pytest.mark.parametrize(
    "over",
    [
        {},
        {"format": "letter"},  # one page of text: the 版记 on a back page of its own
        {"joint": ["台州市教育局", "台州市人力资源和社会保障局"], "draft": True, "number": ""},
        {"signer": "陈骉", "upward": True, "urgency": "加急"},
    ],
    ids=["notice", "letter", "joint-draft", "upward-rare-kai"],
)
def test_a_kept_render_is_the_plain_weasyprint_render(over):
    snap = snapshot(**over)
    first, pages, _seals = render_issued(snap)
    again, _, _ = render_issued(snap)
    assert first == again == plain(snap)
    assert pages >= 1


def test_a_back_page_layout_is_the_plain_weasyprint_render():
    # five pages, the 版记 on the odd last one: laid out again, the 版记 on a page of its own
    snap = snapshot(body=two_page_body(40))
    pdf, pages, _seals = render_issued(snap)
    assert pages % 2 == 0
    assert pdf == plain(snap)


def test_renders_from_several_threads_at_once_are_the_sequential_ones():
    snaps = [
        snapshot(number=f"台教发〔2024〕{i}号", title=f"关于第{i}批试点的通知") for i in (1, 2, 3)
    ]
    expected = [render_issued(s)[0] for s in snaps]
    results, errors = {}, []

    def run(i):
        try:
            results[i] = render_issued(snaps[i % 3])[0]
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [results[i] for i in range(6)] == expected * 2


def test_the_font_cache_faces_are_not_copied_to_a_temporary_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    RENDERER.reset()  # the next render registers the faces again
    render_issued(snapshot())
    assert list(tmp_path.iterdir()) == []


def test_a_process_forked_after_a_render_renders_the_same_bytes():
    """As a Celery pool process forked from a parent that already rendered: its own lock
    and fonts, the same PDF."""
    import os

    snap = snapshot()
    expected = render_issued(snap)[0]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, report, leave without running the parent's atexit
        code = 1
        try:
            with os.fdopen(write, "wb") as out:
                out.write(render_issued(snap)[0])
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as got:
        child_pdf = got.read()
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert child_pdf == expected
