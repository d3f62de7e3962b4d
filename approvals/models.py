"""Models of the approvals app: the shared kernel and each procedure's own."""

from .common.models import (  # noqa: F401
    Application,
    Attachment,
    Objection,
    PublicNotice,
    Review,
    SignOff,
)
from .dual_plaque.models import DualPlaqueDetail, DualPlaqueProcess, SchoolPlaque  # noqa: F401
