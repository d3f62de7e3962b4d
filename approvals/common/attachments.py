"""Attachments of applications: the shared attachment service (``workflows.attachments``).

Files go to ``approvals/<year>/<uuid>.<ext>`` in the default storage (``workflows.storage``:
under MEDIA_ROOT, outside the web root and never routed, or in the database); they leave only
through the permission-checked download view, as ``Content-Disposition: attachment`` (see
``workflows.attachments.attachment_response``).
"""

from workflows.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENT_LABEL,
    AttachmentArea,
    CheckedUpload,
    FileKind,
    attachment_response,
    check_upload,
    sniff,
)

AREA = AttachmentArea("approvals")


def stored_files():
    """The files of applications, with their SHA-256 (settings.FILE_SOURCES)."""
    from workflows.storage import FileRef

    from .models import Attachment

    rows = Attachment.objects.order_by("pk").values_list("stored_name", "sha256")
    for name, digest in rows:
        yield FileRef(AREA.media_name(name), digest, "approvals.Attachment")


__all__ = [
    "AREA",
    "MAX_ATTACHMENT_BYTES",
    "MAX_ATTACHMENT_LABEL",
    "CheckedUpload",
    "FileKind",
    "attachment_response",
    "check_upload",
    "sniff",
    "stored_files",
]
