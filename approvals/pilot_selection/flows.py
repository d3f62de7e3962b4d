"""Pilot selection's flow, built from its steps (``steps.STEPS``)."""

from django.utils.translation import gettext_lazy as _

from approvals.common.flows import approval_flow

from .models import PilotProcess
from .steps import STEPS

PilotSelectionFlow = approval_flow(
    "PilotSelectionFlow",
    __name__,
    steps=STEPS,
    process_class=PilotProcess,
    title=_("试点院校遴选"),
    doc="试点院校遴选：两局资格审核 → 专家评审 → 领导小组决定 → 公示 → 两局联合发文。",
)
