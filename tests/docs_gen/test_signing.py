"""Issued PDFs carry a PAdES signature per issuer, checked by pyHanko's validator (through
docs_gen.signing) and independently by poppler's pdfsig: valid and trusted as issued;
modified after one changed byte or an appended page; untrusted when a foreign key signed."""

import hashlib
import json
from io import BytesIO

import pdfplumber
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.management import call_command

from docs_gen import services, signing
from docs_gen.models import RenderStatus
from docs_gen.rendering import render_issued
from tests.docs_gen import signing_helpers as h
from tests.docs_gen.conftest import two_page_body
from workflows.models import AuditEntry

EDU = signing.Party(unit_code="edu", name="台州市教育局")
HRSS = signing.Party(unit_code="hrss", name="台州市人力资源和社会保障局")

SNAPSHOT = {
    "mark": "台州市教育局文件",
    "number": "台教发〔2024〕7号",
    "title": "台州市教育局关于做好职技融通改革试点工作的通知",
    "addressees": ["各县（市、区）教育局", "市直各职业院校"],
    "body": two_page_body(6),
    "attachments": [],
    "issuer_name": "台州市教育局",
    "date": "2024-06-01",
    "seal": True,
    "note": "",
    "cc": ["市人力社保局"],
    "printer": "台州市教育局办公室",
    "print_date": "2024-06-02",
    "verification": {"code": "ABCD-2345", "url": "http://localhost:8000/verify/ABCD2345/"},
}


@pytest.fixture(scope="module")
def rendered():
    pdf, pages, seals = render_issued(SNAPSHOT)
    return pdf, pages, [signing.SealBox(p, r) for p, r in seals]


@pytest.fixture(scope="module")
def signed(rendered):
    pdf, _pages, seals = rendered
    return signing.sign_pdf(
        pdf, [EDU], seals=seals, location="http://localhost:8000/verify/ABCD2345/"
    )


@pytest.fixture(scope="module")
def nssdir(tmp_path_factory, signed):
    signing.ensure_test_authority()
    return h.nss_trusting(signing.authority_dir() / "ca.pem", tmp_path_factory.mktemp("nss") / "db")


def pyhanko_status(pdf: bytes):
    """pyHanko's own verdict on the (last) signature, outside docs_gen.signing: its
    validator with the project's authority as the only trust root."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    sig = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures[-1]
    context = ValidationContext(trust_roots=signing.trust_roots(), allow_fetching=False)
    return validate_pdf_signature(sig, context)


def _only(check: signing.PdfCheck) -> signing.SignatureCheck:
    assert check.readable and len(check.signatures) == 1
    return check.signatures[0]


def _seal_extent(pdf: bytes, page: int) -> tuple[float, float, float, float]:
    """Bounding box (PDF points, from the bottom) of the red seal's paths on ``page``."""
    with pdfplumber.open(BytesIO(pdf)) as doc:
        p = doc.pages[page]
        red = [
            o
            for o in p.curves + p.rects + p.lines
            if any(
                c and len(c) == 3 and round(c[0], 2) == 0.9 and c[1] == 0
                for c in (o.get("non_stroking_color"), o.get("stroking_color"))
            )
        ]
        assert red, "no seal drawn"
        return (
            min(o["x0"] for o in red),
            min(p.height - o["bottom"] for o in red),
            max(o["x1"] for o in red),
            max(p.height - o["top"] for o in red),
        )


def _widgets(pdf: bytes) -> list[tuple[int, list[float]]]:
    """(page, rectangle) of each signature widget, in the order of their fields' names."""
    with pdfplumber.open(BytesIO(pdf)) as doc:
        found = [
            (a["data"]["T"], i, [float(v) for v in a["data"]["Rect"]])
            for i, page in enumerate(doc.pages)
            for a in page.annots
            if a["data"].get("FT") and a["data"]["FT"].name == "Sig"
        ]
    return [(i, rect) for _name, i, rect in sorted(found)]


# --- as issued ------------------------------------------------------------------------
def test_the_signature_is_valid_trusted_and_over_the_seal(rendered, signed, tmp_path, nssdir):
    pdf, pages, seals = rendered
    assert pages == 2 and len(seals) == 1 and seals[0].page == 1
    sig = _only(signing.verify_pdf(signed))
    assert sig.signer == "台州市教育局" and sig.intact and sig.valid and sig.unchanged_after
    assert sig.trusted and sig.test_authority and sig.ok
    assert sig.certificate_issuer == signing.TEST_AUTHORITY_NAME
    assert "测试证书（非国家电子印章）" in sig.signer_subject
    assert sig.code == "ABCD2345" and sig.signing_time is not None
    # the widget lies over the seal the renderer drew, and the page looks as it did
    [(page, rect)] = _widgets(signed)
    x1, y1, x2, y2 = _seal_extent(signed, page)
    assert page == 1
    assert rect[0] <= x1 and rect[1] <= y1 and rect[2] >= x2 and rect[3] >= y2
    assert max(abs(a - b) for a, b in zip(rect, (x1, y1, x2, y2), strict=True)) < 4
    assert _seal_extent(signed, 1) == _seal_extent(pdf, 1)
    status = pyhanko_status(signed)
    assert status.bottom_line and status.trusted and status.coverage.name == "ENTIRE_FILE"
    # poppler, outside pyHanko: valid, whole file signed, chains to the authority
    out = h.pdfsig(signed, tmp_path, nssdir)
    assert "Signature is Valid." in out and "Total document signed" in out
    assert "Certificate is Trusted." in out
    assert "Signer Certificate Common Name: 台州市教育局" in out


def test_signing_again_adds_no_second_signature(signed):
    assert signing.sign_pdf(signed, [EDU]) == signed


# --- tampered copies ----------------------------------------------------------------------
def test_one_changed_byte_is_reported_as_modified(signed, tmp_path, nssdir):
    tampered = h.flip_content_byte(signed)
    sig = _only(signing.verify_pdf(tampered))
    assert not sig.intact and not sig.ok
    assert not pyhanko_status(tampered).intact
    assert "Digest Mismatch." in h.pdfsig(tampered, tmp_path, nssdir)


def test_an_appended_page_is_reported_as_modified(signed, tmp_path, nssdir):
    longer = h.append_page(signed)
    with pdfplumber.open(BytesIO(longer)) as doc:
        assert len(doc.pages) == 3
    sig = _only(signing.verify_pdf(longer))
    # the signed bytes are intact, but what was added after them is not a signature
    assert sig.intact and not sig.unchanged_after and not sig.ok
    status = pyhanko_status(longer)
    assert not status.bottom_line and status.modification_level.name == "OTHER"
    out = h.pdfsig(longer, tmp_path, nssdir)
    assert "Not total document signed" in out


def test_a_reprinted_copy_has_no_signature(signed, tmp_path):
    copy = h.reprint(signed, tmp_path)
    check = signing.verify_pdf(copy)
    assert check.readable and check.signatures == []
    assert "does not contain any signatures" in h.pdfsig(copy, tmp_path)


def test_a_foreign_key_is_untrusted_even_under_the_issuers_name(rendered, tmp_path, nssdir):
    ca_cert, ca_key = h.authority()
    forged = h.sign_with_p12(rendered[0], h.unit_p12(ca_cert, ca_key, "台州市教育局"))
    sig = _only(signing.verify_pdf(forged))
    assert sig.signer == "台州市教育局" and sig.intact and sig.valid
    assert not sig.trusted and not sig.ok
    status = pyhanko_status(forged)
    assert status.intact and status.valid and not status.trusted and not status.bottom_line
    out = h.pdfsig(forged, tmp_path, nssdir)
    assert "Signature is Valid." in out and "Certificate is Trusted." not in out


def test_garbage_is_unreadable_not_an_error():
    check = signing.verify_pdf(b"%PDF-1.7\nnot really a pdf")
    assert not check.readable and check.error


# --- several issuers, B-T, configured keys ----------------------------------------------------
def test_several_issuers_sign_in_order_each_check_holds(rendered, tmp_path, nssdir):
    pdf, _pages, seals = rendered
    both = signing.sign_pdf(pdf, [EDU, HRSS], seals=seals)
    check = signing.verify_pdf(both)
    assert [s.signer for s in check.signatures] == ["台州市教育局", "台州市人力资源和社会保障局"]
    first, second = check.signatures
    assert first.ok and first.later_signatures_only and second.ok
    assert not second.later_signatures_only
    assert [page for page, _rect in _widgets(both)] == [1, 0]  # the second has no seal
    assert signing.sign_pdf(both, [EDU, HRSS]) == both
    out = h.pdfsig(both, tmp_path, nssdir)
    assert out.count("Signature is Valid.") == 2 and out.count("Certificate is Trusted.") == 2
    # a page added after both is caught for both
    assert not any(s.ok for s in signing.verify_pdf(h.append_page(both)).signatures)


def test_a_time_stamp_service_makes_it_b_t(rendered, settings):
    ca_cert, ca_key = signing.ensure_test_authority()
    with h.time_stamp_service(ca_cert, ca_key) as (url, requests):
        settings.DOCS_TSA_URL = url
        stamped = signing.sign_pdf(rendered[0], [EDU], seals=rendered[2])
    assert len(requests) >= 1
    sig = _only(signing.verify_pdf(stamped))
    assert sig.ok and sig.timestamp is not None
    assert abs((sig.timestamp - sig.signing_time).total_seconds()) < 60


def test_a_configured_pkcs12_signs_and_its_authority_is_trusted(
    rendered, signed, settings, tmp_path
):
    ca_cert, ca_key = h.authority("某省数字证书认证中心")
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "root.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "edu.p12").write_bytes(h.unit_p12(ca_cert, ca_key, "台州市教育局", b"s3cret"))
    settings.DOCS_SIGNING_TEST_AUTHORITY = False
    settings.DOCS_SIGNING_P12 = {"EDU": str(tmp_path / "edu.p12")}
    settings.DOCS_SIGNING_PASSPHRASES = {"EDU": "s3cret"}
    settings.DOCS_SIGNING_TRUST_ROOTS = [str(tmp_path / "root.pem")]
    assert signing.key_source(EDU)[0] == "configured"
    sig = _only(signing.verify_pdf(signing.sign_pdf(rendered[0], [EDU], seals=rendered[2])))
    assert sig.ok and not sig.test_authority
    assert sig.certificate_issuer == "某省数字证书认证中心"
    # a file in DOCS_SIGNING_DIR is found the same way
    settings.DOCS_SIGNING_P12 = {}
    settings.DOCS_SIGNING_DIR = tmp_path
    assert signing.key_source(EDU) == ("configured", tmp_path / "edu.p12")
    # a unit without a key cannot sign; the test authority's signatures are not trusted
    with pytest.raises(signing.SigningKeyMissing):
        signing.sign_pdf(rendered[0], [HRSS])
    assert not _only(signing.verify_pdf(signed)).trusted


@pytest.mark.django_db
def test_without_a_key_the_render_fails_and_says_which_variable(world, issuers, settings):
    settings.DOCS_SIGNING_TEST_AUTHORITY = False
    settings.DOCS_SIGNING_P12 = {}
    document = services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title="台州市教育局关于试点工作的通知",
        addressees=["各校"],
        body=two_page_body(2),
        actor=world.edu_leader,
        signer=world.edu_leader,
    )
    services.document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.render_status == RenderStatus.FAILED and not document.pdf
    assert "没有签名证书" in document.render_error
    assert "DOCS_SIGNING_P12_EDU" in document.render_error


# --- issuing, the registry, the command --------------------------------------------------------
@pytest.mark.django_db
def test_an_issued_document_stores_the_signed_file_once(world, issuers, tmp_path, capsys):
    document = services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title="台州市教育局关于试点工作的通知",
        addressees=["各校"],
        body=two_page_body(),
        actor=world.edu_leader,
        signer=world.edu_leader,
    )
    services.document_render(document_id=document.pk)
    document.refresh_from_db()
    data = document.pdf.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    sig = _only(signing.verify_pdf(data))
    assert sig.ok and sig.signer == "台州市教育局"
    assert sig.code == document.verification_code and document.number in sig.reason
    entry = AuditEntry.objects.get(action="docs.rendered", object_id=str(document.pk))
    assert 0 < entry.after["sign_seconds"] < entry.after["seconds"]
    assert entry.after["signatures"] == ["台州市教育局"]
    # a re-run (a redelivered task) leaves the signed file as it is
    services.document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.pdf.read() == data
    assert AuditEntry.objects.filter(action="docs.rendered").count() == 1

    path = tmp_path / "issued.pdf"
    path.write_bytes(data)
    call_command("verify_pdf", str(path))
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "genuine" and report["file"]["matches_registry"] is True
    assert report["registry"]["status"] == "valid"
    assert report["registry"]["number"] == document.number
    [sig_report] = report["signatures"]
    assert sig_report["signer"] == "台州市教育局" and sig_report["trusted"] is True
    assert any("签名后未被改动" in f["text"] for f in sig_report["findings"])

    # revoked: the signature still holds, the registry says so
    services.document_revoke(document=document, actor=world.edu_leader, reason="内容有误")
    path.write_bytes(h.append_page(data))  # … and a changed copy still finds its document
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_pdf", str(path))
    assert exit_.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "modified" and report["registry"]["status"] == "revoked"
    assert report["registry"]["revoked_reason"] == "内容有误"
    assert report["file"]["matches_registry"] is False


@pytest.mark.django_db
def test_signing_keys_ensure_is_idempotent(settings, tmp_path, capsys):
    settings.DOCS_SIGNING_DIR = tmp_path / "signing"
    path = signing.ensure_test_certificate(EDU)
    ca = (signing.authority_dir() / "ca.pem").read_bytes()
    first = path.read_bytes()
    assert signing.ensure_test_certificate(EDU) == path and path.read_bytes() == first
    call_command("signing_keys", "--ensure")
    assert (signing.authority_dir() / "ca.pem").read_bytes() == ca
    assert path.read_bytes() == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    authority = x509.load_pem_x509_certificate(ca)
    [name] = authority.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert name.value == "职技融通系统测试根证书（非国家电子印章）"
    # a renamed unit gets a new certificate under its new name
    renamed = signing.Party(unit_code="edu", name="台州市教育局（新）")
    signing.ensure_test_certificate(renamed)
    assert path.read_bytes() != first


def test_signing_and_checking_work_where_an_event_loop_runs_already(rendered):
    """An ASGI server (or Playwright in the tests) runs a loop in the thread: pyHanko's own
    asyncio.run would fail there."""
    import asyncio

    pdf, _pages, seals = rendered

    async def inside_a_loop():
        signed = signing.sign_pdf(pdf, [EDU], seals=seals)
        return signing.verify_pdf(signed)

    check = asyncio.run(inside_a_loop())
    assert [s.ok for s in check.signatures] == [True]
