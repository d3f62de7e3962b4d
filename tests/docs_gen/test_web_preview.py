"""The document page's web preview: the same red mark as the PDF (with 文件), centred on
the printed sheet, the sheet zoomed to the frame's width and the frame as tall as it."""

import re

import pytest

from docs_gen import services
from docs_gen.rendering import mark_metrics
from tests.docs_gen.conftest import BODY

pytestmark = pytest.mark.django_db


def _draft(world):
    return services.document_create(
        issuer=world.office,
        kind="bulletin",
        title="关于职技融通改革重点任务推进情况的通报",
        addressees=["领导小组各成员单位"],
        body=BODY,
        actor=world.office_handler,
    )


def test_the_preview_heading_is_the_pdfs_mark_red_and_centred_on_the_sheet(world, issuers, login):
    document = _draft(world)
    snapshot = services.document_snapshot(document, draft=True)
    assert snapshot["mark"].endswith("文件")
    client = login(world.office_handler)
    page = client.get(f"/docs/{document.public_id}/").content.decode()
    assert f'src="/docs/{document.public_id}/preview/" class="zj-doc-frame"' in page
    preview = client.get(f"/docs/{document.public_id}/preview/")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    html = preview.content.decode()
    # the mark: the PDF's text, 文件 included, centred, red
    mark = re.search(r'<p class="mark" style="([^"]*)">([^<]*)</p>', html)
    assert mark.group(2) == snapshot["mark"]
    assert re.search(r"\.mark \{[^}]*color: #ff0000; text-align: center", html)
    size, scale = mark_metrics(snapshot["mark"])
    if scale < 1:  # a narrowed mark is centred on the 156 mm text block: the sheet is one
        assert "margin-left" in mark.group(1)
    # on a screen the body is the printed sheet (156 mm text block inside the margins),
    # zoomed to the frame's width, and the frame grows to the sheet's height
    assert "width: 156mm" in html and "padding: 37mm 26mm 35mm 28mm" in html
    assert "b.style.zoom=z" in html and "frameElement" in html


def test_the_pdf_source_has_no_screen_script(world, issuers):
    from docs_gen.rendering import render_html

    document = _draft(world)
    html = render_html(services.document_snapshot(document, draft=True))
    assert "<script>" not in html and "width: 156mm" not in html
