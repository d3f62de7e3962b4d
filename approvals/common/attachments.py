"""Attachments: type from the content (magic bytes), size capped, generated names.

Files go to ``MEDIA_ROOT/approvals/<year>/<uuid>.<ext>`` — MEDIA_ROOT is outside
the web root and never routed; they leave only through the permission-checked
download view, as ``Content-Disposition: attachment``.
"""

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.exceptions import RuleViolation

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENT_LABEL = "20 MB"


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str


_MAGIC = (
    (b"%PDF-", FileKind("application/pdf", "pdf", "PDF")),
    (b"\x89PNG\r\n\x1a\n", FileKind("image/png", "png", "PNG")),
    (b"\xff\xd8\xff", FileKind("image/jpeg", "jpg", "JPG")),
)


def sniff(head: bytes) -> FileKind | None:
    """The file's kind from its first bytes; None for anything not PDF, PNG or JPG."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def storage() -> FileSystemStorage:
    # built per call so tests that change MEDIA_ROOT are honoured
    return FileSystemStorage(location=settings.MEDIA_ROOT / "approvals")


def check_upload(upload) -> FileKind:
    """Refuse what is not a PDF/JPG/PNG of at most 20 MB, naming the file and the rule."""
    name = upload.name
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise RuleViolation(
            _("附件「%(name)s」大小为 %(size).1f MB，超过单个附件 %(limit)s 的上限。")
            % {"name": name, "size": upload.size / 1024 / 1024, "limit": MAX_ATTACHMENT_LABEL},
            field="files",
        )
    if upload.size == 0:
        raise RuleViolation(_("附件「%(name)s」是空文件。") % {"name": name}, field="files")
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise RuleViolation(
            _(
                "附件「%(name)s」不是 PDF、JPG 或 PNG 文件（按文件内容识别，与扩展名无关），"
                "请上传这三种格式之一。"
            )
            % {"name": name},
            field="files",
        )
    return kind


def store(upload, kind: FileKind) -> tuple[str, str]:
    """Write the upload under a generated name; returns (stored name, sha256)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = f"{timezone.now():%Y}/{uuid.uuid4().hex}.{kind.extension}"
    stored = storage().save(name, upload)
    return stored, digest.hexdigest()
