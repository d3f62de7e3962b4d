"""The one attachment service (workflows.attachments): type by content, no active content,
no polyglots, safe labels. The apps' own tests drive it through their pages."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.attachment_samples import (
    GOOD,
    HOSTILE,
    good_pdf,
    pdf_with_catalog_in_object_stream,
    raw_pdf,
)
from workflows import attachments
from workflows.attachments import (
    MAX_ATTACHMENT_BYTES,
    check_upload,
    display_label,
    download_name,
)
from workflows.exceptions import RuleViolation


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_each_hostile_file_is_refused_naming_the_field_the_file_and_the_rule(case):
    name, content, phrase = HOSTILE[case]
    with pytest.raises(RuleViolation) as refused:
        check_upload(SimpleUploadedFile(name, content))
    assert refused.value.field == "files"
    assert refused.value.message.startswith(f"附件「{name}」")
    assert phrase in refused.value.message


@pytest.mark.parametrize("case", sorted(GOOD))
def test_a_plain_pdf_png_or_jpg_passes_with_its_sniffed_type(case):
    name, content, content_type, extension = GOOD[case]
    checked = check_upload(SimpleUploadedFile(name, content))
    assert (checked.content_type, checked.kind.extension) == (content_type, extension)
    assert checked.size == len(content) and len(checked.sha256) == 64


def test_the_type_comes_from_the_content_not_the_name():
    checked = check_upload(SimpleUploadedFile("photo.jpg", good_pdf()))
    assert checked.kind.extension == "pdf" and checked.label == "photo.jpg"


def test_harmless_pdf_features_are_not_mistaken_for_active_content():
    opens_on_page_one = raw_pdf(b"/OpenAction [3 0 R /Fit] /PageMode /UseOutlines")
    with_a_link = raw_pdf(
        page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
        b"/A << /S /URI /URI (https://www.zjtz.gov.cn/) >> >>]"
    )
    for content in (opens_on_page_one, with_a_link):
        assert check_upload(SimpleUploadedFile("a.pdf", content)).kind.extension == "pdf"


def test_hex_escaped_names_are_read_as_a_pdf_reader_reads_them():
    assert attachments._normalised_name(b"J#61vaScript") == "JavaScript"
    assert attachments._active_in_bytes(b"<< /S /L#61#75nch >>") == "Launch"
    assert attachments._active_in_bytes(b"<< /S /JavaScripts /JSX >>") is None


def test_script_packed_in_an_object_stream_is_found_by_pypdf_not_only_by_the_raw_scan():
    content = pdf_with_catalog_in_object_stream(b"/OpenAction << /S /JavaScript /JS (x) >>")
    raw = attachments._STREAM_BODY.sub(b" ", content)
    assert attachments._active_in_bytes(raw) is None  # compressed: invisible in the bytes
    assert attachments._pdf_objects_problem(content) is not None
    plain = pdf_with_catalog_in_object_stream(b"/PageMode /UseNone")
    assert check_upload(SimpleUploadedFile("a.pdf", plain)).kind.extension == "pdf"


def test_an_oversized_or_empty_file_is_refused_with_the_rule():
    big = SimpleUploadedFile("扫描件.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES)
    with pytest.raises(RuleViolation, match="超过单个附件 20 MB 的上限"):
        check_upload(big)
    with pytest.raises(RuleViolation, match="是空文件"):
        check_upload(SimpleUploadedFile("空.pdf", b""))


def test_labels_lose_folders_control_and_direction_characters():
    assert display_label("../../etc/passwd.pdf") == "passwd.pdf"
    assert display_label("..\\..\\boot.ini.png") == "boot.ini.png"
    assert display_label("invoice\u202egpj.exe") == "invoicegpj.exe"
    assert display_label("a\x00b\r\nc.pdf") == "abc.pdf"
    assert display_label('x<script>"y".pdf') == "x_script__y_.pdf"
    assert display_label("..") == "附件"
    long = display_label("长" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")


def test_downloads_are_named_with_the_real_type():
    assert download_name("photo.jpg", "application/pdf") == "photo.pdf"
    assert download_name("照片.JPEG", "image/jpeg") == "照片.JPEG"
    assert download_name("scan", "image/png") == "scan.png"
    assert download_name("page.html", "application/octet-stream") == "page.html"


def _imports(folder: str) -> set[str]:
    names = set()
    for path in Path(settings.BASE_DIR, folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return {name.split(".")[0] for name in names}


def test_the_kernel_and_the_registry_do_not_import_the_approvals():
    assert "approvals" not in _imports("tasks_registry")
    assert not {"approvals", "tasks_registry"} & _imports("workflows")


def test_the_document_office_imports_no_procedure_and_not_the_registry():
    # the plan renderer lives with the annex (tasks_registry/plan.py), not in docs_gen
    assert not {"approvals", "tasks_registry"} & _imports("docs_gen")


def test_a_refusal_reads_in_english_for_an_english_reader():
    name, content, _phrase = HOSTILE["pdf_launch"]
    with translation.override("en"), pytest.raises(RuleViolation) as refused:
        check_upload(SimpleUploadedFile(name, content))
    assert refused.value.message == (
        f'Attachment "{name}" is a PDF with active content (/Launch launches an external '
        "program) and is refused: a PDF attachment may not contain scripts, actions that run by "
        "themselves, program launches, embedded files or dynamic forms. Please print or save it "
        "as a plain PDF and upload it."
    )
