"""Models of the approvals kernel (each procedure app has its own)."""

from .common.models import (  # noqa: F401
    Application,
    Attachment,
    Objection,
    PublicNotice,
    Review,
    Round,
    SignOff,
)
