"""The pages: staff of the issuing unit work on drafts, others get 404; /verify is public."""

import pytest
from django.test import Client

from docs_gen import services
from docs_gen.models import DocumentStatus, OfficialDocument
from tests.docs_gen.conftest import BODY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    global _commit
    _commit = django_capture_on_commit_callbacks


def _issued(world):
    with _commit(execute=True):
        return _issue(world)


def _issue(world):
    return services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title="台州市教育局关于试点工作的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
    )


def test_a_handler_drafts_through_the_form(world, issuers, login):
    client = login(world.edu_handler)
    response = client.post(
        "/docs/new/",
        {
            "issuer": str(world.edu.public_id),
            "kind": "notice",
            "title": "台州市教育局关于开展试点工作的通知",
            "addressees": "各县（市、区）教育局，市直各职业院校",
            "body": "现将有关事项通知如下。\n\n一、工作任务\n\n（一）统筹推进。按计划推进。\n\n1.按时报送。",
            "attachments": "附件：试点名单\n序号 | 学校\n1 | 一职",
            "note": "此件公开发布",
            "cc": "市人力社保局，市财政局",
        },
    )
    assert response.status_code == 302
    document = OfficialDocument.objects.get()
    assert [b.get("level") for b in document.body] == [None, 1, 2, 3]
    assert document.body[2]["rest"] == "按计划推进。"
    assert document.attachments[0]["body"][0]["type"] == "table"
    assert document.cc == ["市人力社保局", "市财政局"]
    assert document.addressees == ["各县（市、区）教育局", "市直各职业院校"]
    assert client.get(f"/docs/{document.public_id}/preview/").status_code == 200
    pdf = client.get(f"/docs/{document.public_id}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_form_keeps_what_was_typed_and_names_the_field(world, issuers, login):
    client = login(world.edu_handler)
    response = client.post(
        "/docs/new/",
        {
            "issuer": str(world.edu.public_id),
            "kind": "notice",
            "title": "标题",
            "addressees": "",
            "body": "正文",
        },
    )
    assert response.status_code == 200
    assert "主送机关" in response.content.decode()
    assert "正文" in response.content.decode()


def test_staff_of_another_unit_get_404_on_drafts(world, issuers, login):
    document = services.document_create(
        issuer=world.edu,
        kind="notice",
        title="草稿",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    for outsider in (world.hrss_handler, world.school_handler):
        client = login(outsider)
        assert client.get(f"/docs/{document.public_id}/").status_code == 404
        assert client.get(f"/docs/{document.public_id}/pdf/").status_code == 404
        assert client.post(f"/docs/{document.public_id}/submit/").status_code == 404
    assert login(world.edu_handler).get(f"/docs/{document.public_id}/").status_code == 200
    assert login(world.office_handler).get(f"/docs/{document.public_id}/").status_code == 200


def test_sign_off_and_issue_through_the_pages(world, issuers, login):
    document = services.document_create(
        issuer=world.edu,
        kind="notice",
        title="通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    login(world.edu_handler).post(f"/docs/{document.public_id}/submit/")
    response = login(world.edu_handler).post(f"/docs/{document.public_id}/sign/", follow=True)
    assert "分管领导" in response.content.decode()  # refused, shown as a message
    login(world.edu_leader).post(f"/docs/{document.public_id}/sign/")
    login(world.edu_handler).post(f"/docs/{document.public_id}/issue/")
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.number
    # issuing again is a conflict, not a 500
    assert login(world.edu_handler).post(f"/docs/{document.public_id}/issue/").status_code == 409


def test_verify_shows_the_document_to_anyone(world, issuers, client):
    document = _issued(world)
    document.refresh_from_db()
    response = client.get(f"/verify/{document.verification_code}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert document.number in text and document.sha256 in text and "有效" in text


def test_verify_compares_an_uploaded_file(world, issuers, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = _issued(world)
    document.refresh_from_db()
    genuine = document.pdf.read()
    url = f"/verify/{document.verification_code}/"
    ok = client.post(url, {"file": SimpleUploadedFile("a.pdf", genuine, "application/pdf")})
    assert "一致：" in ok.content.decode()
    tampered = (
        genuine.replace(b"/Producer", b"/Producex", 1)
        if b"/Producer" in genuine
        else genuine + b"\n%x"
    )
    bad = client.post(url, {"file": SimpleUploadedFile("a.pdf", tampered, "application/pdf")})
    assert "不一致" in bad.content.decode()


def test_verify_shows_revocation_and_unknown_codes_are_404(world, issuers, client):
    document = _issued(world)
    services.document_revoke(document=document, actor=world.edu_leader, reason="内容有误")
    document.refresh_from_db()
    assert "已作废" in client.get(f"/verify/{document.verification_code}/").content.decode()
    assert client.get("/verify/ZZZZ9999/").status_code == 404


def test_a_draft_has_no_verification_page(world, issuers, client):
    document = services.document_create(
        issuer=world.edu,
        kind="notice",
        title="草稿",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    assert document.verification_code is None


def test_the_list_searches_issued_documents(world, issuers, login):
    document = _issued(world)
    client = login(world.hrss_handler)
    mine = client.get("/docs/?q=试点").content.decode()
    assert document.title not in mine  # not their unit's
    issued = client.get("/docs/?scope=issued&q=试点").content.decode()
    assert document.title in issued  # government staff read every issued document
    assert client.get(f"/docs/{document.public_id}/").status_code == 200
    school = login(world.school_handler, Client())
    assert document.title not in school.get("/docs/?scope=issued&q=试点").content.decode()
    assert school.get(f"/docs/{document.public_id}/").status_code == 404


def _header_post(world, **over):
    data = {
        "issuer": str(world.edu.public_id),
        "kind": "notice",
        "title": "台州市教育局关于报送涉密材料的通知",
        "addressees": "市直各职业院校",
        "body": "现将有关事项通知如下。",
        "copy_number": "12",
        "secrecy": "秘密",
        "secrecy_term": "1年",
        "urgency": "特急",
    }
    data.update(over)
    return data


def test_the_form_takes_copy_number_secrecy_and_urgency(world, issuers, login):
    client = login(world.edu_handler)
    page = client.get("/docs/new/").content.decode()
    for label in ("份号", "密级", "保密期限", "紧急程度"):
        assert label in page
    assert client.post("/docs/new/", _header_post(world)).status_code == 302
    document = OfficialDocument.objects.get()
    assert (document.copy_number, document.secrecy, document.secrecy_term, document.urgency) == (
        "000012",
        "秘密",
        "1年",
        "特急",
    )
    snap = services.document_snapshot(document, draft=True)
    assert (snap["copy_number"], snap["secrecy"], snap["urgency"]) == ("000012", "秘密★1年", "特急")
    edit = client.get(f"/docs/{document.public_id}/edit/").content.decode()
    assert 'value="000012"' in edit
    assert "秘密★1年" in client.get(f"/docs/{document.public_id}/").content.decode()


@pytest.mark.parametrize(
    "over,message",
    [
        ({"copy_number": "12a"}, "「份号」只能是1至6位阿拉伯数字。"),
        ({"secrecy": "", "secrecy_term": "1年"}, "保密期限：须先选择密级"),
        ({"urgency": "急"}, "紧急程度"),
    ],
)
def test_the_form_names_a_wrong_header_field(world, issuers, login, over, message):
    client = login(world.edu_handler)
    response = client.post("/docs/new/", _header_post(world, **over))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OfficialDocument.objects.exists()
