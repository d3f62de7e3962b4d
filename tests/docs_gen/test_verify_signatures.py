"""/verify/<code>/ with an uploaded PDF reports, in Chinese, each signature's signer, time,
integrity and trust, beside the registry's state; copies that prove nothing say so."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docs_gen import services
from tests.docs_gen import signing_helpers as h
from tests.docs_gen.conftest import two_page_body

pytestmark = pytest.mark.django_db


def _issue(world, commit, title):
    with commit(execute=True):
        document = services.document_issue_for_decision(
            issuer=world.edu,
            kind="notice",
            title=title,
            addressees=["各校"],
            body=two_page_body(4),
            actor=world.edu_leader,
            signer=world.edu_leader,
        )
    document.refresh_from_db()
    return document


def _upload(client, document, data: bytes) -> str:
    response = client.post(
        f"/verify/{document.verification_code}/",
        {"file": SimpleUploadedFile("收到的公文.pdf", data, "application/pdf")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_uploads_are_judged_by_their_signatures(
    world, issuers, client, tmp_path, django_capture_on_commit_callbacks
):
    commit = django_capture_on_commit_callbacks
    document = _issue(world, commit, "台州市教育局关于试点工作的通知")
    genuine = document.pdf.read()

    text = _upload(client, document, genuine)
    assert "真实有效：文件由台州市教育局签名，签名后未被改动，公文登记有效。" in text
    assert "数字签名 1" in text and "台州市教育局（与登记的发文机关一致）" in text
    assert "签名时间" in text and "未经时间戳认证" in text
    assert "签名后未被改动" in text
    assert "测试证书机构（职技融通系统测试根证书（非国家电子印章））签发" in text
    assert "不是国家电子印章" in text
    assert "登记状态 有效" in text and "一致：上传的文件与印发的公文完全相同。" in text

    text = _upload(client, document, h.flip_content_byte(genuine))
    assert "文件在签名后被改动，不是印发的原件。" in text
    assert "签名后文件内容被改动（签名的摘要与文件不符）" in text
    assert "不一致：" in text

    text = _upload(client, document, h.append_page(genuine))
    assert "文件在签名后被改动" in text and "签名后文件被追加修改" in text

    text = _upload(client, document, h.reprint(genuine, tmp_path))
    assert "文件不含数字签名" in text and "数字签名 1" not in text

    ca_cert, ca_key = h.authority()
    forged = h.sign_with_p12(genuine, h.unit_p12(ca_cert, ca_key, "台州市教育局"))
    text = _upload(client, document, forged)
    # the genuine signature is still there and intact, but the forger's is untrusted
    assert "签名证书不是本系统信任的证书机构签发的，不能确认发文机关。" in text
    assert "证书不是本系统信任的证书机构签发的（签发者：另一个证书机构）" in text

    text = _upload(client, document, b"%PDF-1.7 nothing here")
    assert "无法读取：上传的文件不是有效的 PDF。" in text

    # another document's genuine PDF on this document's page
    other = _issue(world, commit, "台州市教育局关于另一项工作的通知")
    text = _upload(client, document, other.pdf.read())
    assert "文件的签名属于另一份公文" in text
    assert f"该签名属于另一份公文（验证码 {other.verification_code}）" in text


def test_a_revoked_documents_valid_pdf_says_it_was_revoked(
    world, issuers, client, django_capture_on_commit_callbacks
):
    document = _issue(world, django_capture_on_commit_callbacks, "台州市教育局关于试点工作的通知")
    services.document_revoke(document=document, actor=world.edu_leader, reason="内容有误")
    document.refresh_from_db()
    text = _upload(client, document, document.pdf.read())
    assert "签名真实，文件未被改动，但该公文已作废" in text and "原因：内容有误" in text
    assert "登记状态 已作废" in text


def test_the_report_is_english_for_an_english_visitor(
    world, issuers, client, django_capture_on_commit_callbacks
):
    document = _issue(world, django_capture_on_commit_callbacks, "台州市教育局关于试点工作的通知")
    client.cookies["django_language"] = "en"
    text = _upload(client, document, document.pdf.read())
    assert "Genuine" in text and "not a national electronic seal" in text
    assert "签名后" not in text


def test_a_document_issued_through_the_pages_is_signed(
    world, issuers, login, client, tmp_path, django_capture_on_commit_callbacks
):
    document = services.document_create(
        issuer=world.edu,
        kind="notice",
        title="台州市教育局关于试点工作的通知",
        addressees=["各校"],
        body=two_page_body(4),
        actor=world.edu_handler,
    )
    login(world.edu_handler).post(f"/docs/{document.public_id}/submit/")
    login(world.edu_leader).post(f"/docs/{document.public_id}/sign/")
    with django_capture_on_commit_callbacks(execute=True):
        login(world.edu_handler).post(f"/docs/{document.public_id}/issue/")
    pdf = login(world.edu_handler).get(f"/docs/{document.public_id}/pdf/")
    data = b"".join(pdf.streaming_content)
    document.refresh_from_db()
    out = h.pdfsig(data, tmp_path)
    assert "Signature is Valid." in out and "Total document signed" in out
    assert "Signer Certificate Common Name: 台州市教育局" in out
    text = _upload(client, document, data)
    assert "真实有效：文件由台州市教育局签名" in text
