"""Dual plaque's flow, built from its steps (``steps.STEPS``): see approvals.common.flows."""

from django.utils.translation import gettext_lazy as _

from approvals.common.flows import approval_flow

from .models import DualPlaqueProcess
from .steps import STEPS

DualPlaqueFlow = approval_flow(
    "DualPlaqueFlow",
    __name__,
    steps=STEPS,
    process_class=DualPlaqueProcess,
    title=_("双挂牌审批"),
    doc="双挂牌审批：主管局审核 → 另一局会签 → 领导小组审批 → 公示 → 主管局批复。",
)
