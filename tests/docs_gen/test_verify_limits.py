"""/verify/ is public: lookups are throttled per client, uploads capped by size."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docs_gen import services
from tests.docs_gen.conftest import BODY

pytestmark = pytest.mark.django_db


def _issued_without_pdf(world):
    # rendering is queued on commit, which never comes here: an issued document, no PDF
    return services.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title="台州市教育局关于试点工作的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
    )


def test_lookups_over_the_limit_answer_429_in_chinese(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": (5, 60)}
    # unknown codes count too: guessing codes is what the limit is for
    assert [client.get(f"/verify/ZZZZ000{n}/").status_code for n in range(5)] == [404] * 5
    response = client.get("/verify/ZZZZ0009/")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    text = response.content.decode()
    assert "访问过于频繁" in text and "1 分钟内最多访问 5 次" in text
    # another client is not affected
    assert client.get("/verify/ZZZZ0009/", REMOTE_ADDR="198.51.100.4").status_code == 404


def test_the_default_limit_is_60_a_minute(client):
    codes = [client.get("/verify/ZZZZ0000/").status_code for _ in range(61)]
    assert codes[:60] == [404] * 60 and codes[60] == 429


def test_an_oversized_upload_is_refused_by_its_size_in_chinese(world, issuers, client):
    document = _issued_without_pdf(world)
    url = f"/verify/{document.verification_code}/"
    big = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024), "application/pdf")
    response = client.post(url, {"file": big})
    text = response.content.decode()
    assert response.status_code == 200
    assert "「待核验的 PDF 文件」大小为 20.0 MB，超过 20 MB 的上限。" in text
    assert "上传文件的 SHA-256" not in text  # not read, not compared
    # a file within the cap is compared as before
    small = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n", "application/pdf")
    assert "不一致" in client.post(url, {"file": small}).content.decode()
