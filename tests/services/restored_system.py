"""Run inside a restored system (its DATABASE_URL, APP_MEDIA_ROOT, APP_FILE_STORAGE): prints,
as JSON, what tests/services/test_backup_restore.py compares with the system that was backed
up. Every check goes through the pages a person uses (/verify/, the download views), then
one more document is issued to see where its number lands.

    python -m tests.services.restored_system
"""

import hashlib
import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import IntegrityError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from approvals.common.models import Attachment  # noqa: E402
from docs_gen import services  # noqa: E402
from docs_gen.models import NumberCounter, OfficialDocument  # noqa: E402
from tasks_registry.models import ReportAttachment  # noqa: E402
from workflows.models import AuditEntry, Unit  # noqa: E402

GENUINE = "一致：上传的文件与印发的公文完全相同。"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(user, url) -> str | None:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    if response.status_code != 200:
        return None
    return _sha(b"".join(response.streaming_content))


def main():
    public = Client()
    documents = []
    for doc in OfficialDocument.objects.exclude(verification_code=None).order_by("pk"):
        with doc.pdf.open("rb") as handle:
            pdf = handle.read()
        page = public.post(
            f"/verify/{doc.verification_code}/",
            {"file": SimpleUploadedFile("a.pdf", pdf, "application/pdf")},
        ).content.decode()
        documents.append(
            {
                "public_id": str(doc.public_id),
                "number": doc.number,
                "status": doc.status,
                "sha256": doc.sha256,
                "file_sha256": _sha(pdf),
                "verified": GENUINE in page,
            }
        )
    attachments = {
        str(a.public_id): _download(
            a.uploaded_by, f"/applications/{a.application.public_id}/files/{a.public_id}/"
        )
        for a in Attachment.objects.select_related("application", "uploaded_by")
    }
    reports = {
        str(a.public_id): _download(a.report.author, f"/tasks/attachments/{a.public_id}/")
        for a in ReportAttachment.objects.select_related("report__author")
    }
    audit = [list(row) for row in AuditEntry.objects.order_by("pk").values_list("pk", "action")]
    counters = [
        list(row)
        for row in NumberCounter.objects.order_by("pk").values_list(
            "issuer__unit__code", "series", "year", "last"
        )
    ]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE workflows_auditentry SET note = 'rewritten'")
        guard = "not refused"
    except IntegrityError as exc:
        guard = str(exc).splitlines()[0]
    signer = OfficialDocument.objects.exclude(signer=None).order_by("pk").first().signer
    following = services.document_issue_for_decision(
        issuer=Unit.objects.get(code="edu"),
        kind="notice",
        title="台州市教育局关于恢复后的第一份通知",
        addressees=["各校"],
        body=[{"type": "paragraph", "text": "恢复后印发。"}],
        actor=signer,
        signer=signer,
    )
    print(
        json.dumps(
            {
                "documents": documents,
                "attachments": attachments,
                "reports": reports,
                "audit": audit,
                "counters": counters,
                "guard": guard,
                "next": {"number": following.number, "serial": following.serial},
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
