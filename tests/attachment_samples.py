"""Good and hostile files for the attachment rules, built here with pypdf, Pillow or raw bytes.

``HOSTILE`` maps a case to (file name, content, a phrase the Chinese refusal must contain).
"""

import io
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def good_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "关于申请加挂牌子的请示"})
    return _written(writer)


def good_png(size=(24, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def good_jpg(size=(24, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()


def raw_pdf(catalog: bytes = b"", page: bytes = b"") -> bytes:
    """A one-page PDF written byte by byte, with ``catalog``/``page`` added to those dicts."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page + b" >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_with_catalog_in_object_stream(catalog: bytes) -> bytes:
    """PDF 1.5: the catalog (with ``catalog`` added) packed, compressed, in an object stream,
    found through a cross-reference stream: nothing of it is visible in the raw bytes."""
    packed = b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>"
    header = b"1 0 "
    objstm = zlib.compress(header + packed)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = {
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    }
    for number, body in plain.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[4] = len(out)
    out += (
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(objstm))
        + objstm
        + b"\nendstream\nendobj\n"
    )
    offsets[5] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    rows.append(b"\x02" + (4).to_bytes(4, "big") + (0).to_bytes(2, "big"))  # 1: in 4, index 0
    for number in (2, 3, 4, 5):
        rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big"))
    table = zlib.compress(b"".join(rows))
    out += (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n" % len(table) + table + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[5]
    return bytes(out)


def pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('x');"))
    return _written(writer)


def pdf_with_embedded_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    return _written(writer)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    return _written(writer)


def _zip(text: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", text)
    return out.getvalue()


ACTIVE = "的 PDF，不予接收"
MARKUP = "还夹带了网页或脚本代码"
NOT_A_TYPE = "不是 PDF、JPG 或 PNG 文件（按文件内容识别"

HOSTILE = {
    # not one of the three types, whatever the name says
    "html": ("通知.html", b"<!doctype html><html><script>alert(1)</script></html>", NOT_A_TYPE),
    "html_named_pdf": ("通知.pdf", b"<html><body onload=alert(1)>x</body></html>", NOT_A_TYPE),
    "svg": (
        "图.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        NOT_A_TYPE,
    ),
    "exe": ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, NOT_A_TYPE),
    "zip": ("材料.zip", _zip(b"hello"), NOT_A_TYPE),
    # PDFs with active content
    "pdf_javascript": ("请示.pdf", pdf_with_javascript(), "/JavaScript 脚本"),
    "pdf_open_action_js": (
        "请示.pdf",
        raw_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"),
        "脚本）的 PDF",
    ),
    "pdf_hex_escaped_js": (
        "请示.pdf",
        raw_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
        "脚本）的 PDF",
    ),
    "pdf_launch": (
        "请示.pdf",
        raw_pdf(b"/OpenAction << /S /L#61unch /F (cmd.exe) >>"),
        "/Launch 启动外部程序",
    ),
    "pdf_embedded_file": ("请示.pdf", pdf_with_embedded_file(), "嵌入文件"),
    "pdf_additional_actions": (
        "请示.pdf",
        raw_pdf(page=b"/AA << /O << /S /URI /URI (http://example.invalid/) >> >>"),
        "/AA 自动执行的动作",
    ),
    "pdf_rich_media": (
        "请示.pdf",
        raw_pdf(page=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>]"),
        "/RichMedia 富媒体",
    ),
    "pdf_xfa": ("请示.pdf", raw_pdf(b"/AcroForm << /Fields [] /XFA (x) >>"), "/XFA XFA 动态表单"),
    "pdf_js_in_object_stream": (
        "请示.pdf",
        pdf_with_catalog_in_object_stream(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        "脚本）的 PDF",
    ),
    "pdf_encrypted": ("请示.pdf", encrypted_pdf(), "是加密的 PDF"),
    "pdf_damaged": ("请示.pdf", b"%PDF-1.4\n1 0 obj garbage\n%%EOF\n", "内容已损坏或无法解析"),
    # polyglots
    "pdf_with_html": (
        "请示.pdf",
        good_pdf().replace(b"\n", b"\n%<html><script>alert(1)</script>\n", 1),
        MARKUP,
    ),
    "pdf_with_content_before_header": (
        "请示.pdf",
        b"<!-- padding -->" * 100 + good_pdf(),
        "在 PDF 文件头（%PDF-）之前还有 1600 字节其他内容",
    ),
    "pdf_with_data_after_eof": ("请示.pdf", good_pdf() + b"MZ\x90\x00 trailing", "结束标记之后"),
    "pdf_with_zip_appended": ("请示.pdf", good_pdf() + _zip(b"hello"), "压缩包"),
    "png_with_trailing_html": (
        "照片.png",
        good_png() + b"<html><script>alert(1)</script></html>",
        MARKUP,
    ),
    "png_with_trailing_data": ("照片.png", good_png() + b"\x01\x02 more", "结束标记之后"),
    "jpg_with_trailing_html": (
        "照片.jpg",
        good_jpg() + b"<svg onload=alert(1)>",
        MARKUP,
    ),
    "jpg_with_zip_appended": ("照片.jpg", good_jpg() + _zip(b"hello"), "压缩包"),
    "jpg_with_pdf_appended": ("照片.jpg", good_jpg() + good_pdf(), "PDF 数据"),
    "png_damaged": ("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "内容已损坏或无法解析"),
}

GOOD = {
    "pdf": ("请示.pdf", good_pdf(), "application/pdf", "pdf"),
    "png": ("照片.png", good_png(), "image/png", "png"),
    "jpg": ("照片.jpeg", good_jpg(), "image/jpeg", "jpg"),
}
