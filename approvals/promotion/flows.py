"""Dual-track promotion's flow, built from its steps (``steps.STEPS``): see approvals.common.flows."""

from django.utils.translation import gettext_lazy as _

from approvals.common.flows import approval_flow

from .models import PromotionProcess
from .steps import STEPS

PromotionFlow = approval_flow(
    "PromotionFlow",
    __name__,
    steps=STEPS,
    process_class=PromotionProcess,
    title=_("双线晋升"),
    doc="双线晋升：校内公示 → 学校推荐 → 两局并联审核 → 评审委员会 → 市级公示 → 结果通知。",
)
