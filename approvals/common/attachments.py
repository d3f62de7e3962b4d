"""Attachments of applications: the shared attachment service (``workflows.attachments``).

Files go to ``MEDIA_ROOT/approvals/<year>/<uuid>.<ext>`` — MEDIA_ROOT is outside the web
root and never routed; they leave only through the permission-checked download view, as
``Content-Disposition: attachment`` (see ``workflows.attachments.attachment_response``).
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


def storage():
    return AREA.storage()


__all__ = [
    "AREA",
    "MAX_ATTACHMENT_BYTES",
    "MAX_ATTACHMENT_LABEL",
    "CheckedUpload",
    "FileKind",
    "attachment_response",
    "check_upload",
    "sniff",
    "storage",
]
