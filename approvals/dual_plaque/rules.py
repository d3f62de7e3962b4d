"""Dual plaque's rules (annex task 2): which plaque a school may hang, and who decides."""

from django.utils.translation import gettext as _

from approvals.common.models import Application
from workflows.exceptions import RuleViolation
from workflows.models import SchoolCategory, Unit
from workflows.units import EDU, HRSS, unit_by_code

from .models import DualPlaqueDetail, PlaqueKind

TASK_2 = "《台州市职技融通改革实施方案》（台政办发〔2022〕11号）附件重点任务第2项“实施职业院校、技工院校‘双挂牌’工程”"

# Annex task 2: a vocational school may hang a technical-school plaque (decided by
# the HR bureau, which runs technical schools), a technical school a vocational one
# (decided by the education bureau).
PLAQUES_BY_CATEGORY = {
    SchoolCategory.VOCATIONAL: (PlaqueKind.TECHNICIAN_COLLEGE, PlaqueKind.SENIOR_TECHNICAL),
    SchoolCategory.TECHNICAL: (PlaqueKind.VOCATIONAL,),
}
COMPETENT_BUREAU = {
    PlaqueKind.TECHNICIAN_COLLEGE: HRSS,
    PlaqueKind.SENIOR_TECHNICAL: HRSS,
    PlaqueKind.VOCATIONAL: EDU,
}


def competent_bureau(plaque_kind: str) -> Unit:
    return unit_by_code(COMPETENT_BUREAU[PlaqueKind(plaque_kind)])


def co_signing_bureau(plaque_kind: str) -> Unit:
    code = EDU if COMPETENT_BUREAU[PlaqueKind(plaque_kind)] == HRSS else HRSS
    return unit_by_code(code)


def detail_of(application: Application) -> DualPlaqueDetail | None:
    """Read once per application object (and with it under the kernel's lock)."""
    if application.pk is None:
        return None
    try:
        return application.dual_plaque
    except DualPlaqueDetail.DoesNotExist:
        return None


def plaque_fits_school(*, school: Unit, plaque_kind: str) -> None:
    """Annex task 2: the plaque must be of the other category than the school's own."""
    allowed = PLAQUES_BY_CATEGORY.get(school.category, ())
    if plaque_kind not in allowed:
        names = "、".join(str(PlaqueKind(k).label) for k in allowed) or _("无")
        raise RuleViolation(
            _(
                "「加挂牌子类别」不符合规定：%(school)s属于%(category)s，根据%(task)s，"
                "只能申请加挂%(allowed)s牌子，不能加挂%(asked)s牌子。"
            )
            % {
                "school": school.name,
                "category": school.get_category_display(),
                "task": TASK_2,
                "allowed": names,
                "asked": PlaqueKind(plaque_kind).label,
            },
            field="plaque_kind",
        )
