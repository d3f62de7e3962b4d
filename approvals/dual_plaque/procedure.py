"""The dual-plaque procedure's rules (annex task 2) and its steps for the kernel."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.exceptions import RuleViolation
from workflows.models import Role, SchoolCategory, Unit
from workflows.units import EDU, HRSS, unit_by_code

from ..common.models import Application
from ..common.registry import Procedure, Step, StepKind, register
from .flows import DualPlaqueFlow
from .forms import DualPlaqueForm
from .models import DualPlaqueDetail, PlaqueKind, SchoolPlaque

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
    return DualPlaqueDetail.objects.filter(application=application).first()


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


class DualPlaqueProcedure(Procedure):
    code = "dual_plaque"
    title = gettext_lazy("双挂牌申请")
    flow_class = DualPlaqueFlow
    form_class = DualPlaqueForm
    first_step = "competent_review"
    publicity_working_days = 5
    intro_template = "approvals/dual_plaque/intro.html"

    def __init__(self):
        def competent(app):
            return [competent_bureau(detail_of(app).plaque_kind)]

        self.steps = {
            "competent_review": Step(StepKind.REVIEW, gettext_lazy("主管部门审核"), competent),
            "cosign": Step(
                StepKind.COSIGN,
                gettext_lazy("会签"),
                lambda app: [co_signing_bureau(detail_of(app).plaque_kind)],
            ),
            "leading_approval": Step(
                StepKind.REVIEW,
                gettext_lazy("领导小组审批"),
                lambda app: [unit_by_code("leading-group")],
            ),
            "amend": Step(
                StepKind.AMEND, gettext_lazy("退回学校修改"), lambda app: [app.applicant_unit]
            ),
            "publicity": Step(StepKind.PUBLICITY, gettext_lazy("公示"), competent),
            # the reply goes out under the bureau's name: its leader in charge signs it
            # off (签发, GB/T 9704) and the number is taken at that moment
            "issue_reply": Step(
                StepKind.ISSUE,
                gettext_lazy("签发批复"),
                competent,
                roles=(Role.LEADER,),
            ),
        }

    # --- form ------------------------------------------------------------------
    def title_for(self, application, cleaned) -> str:
        return _("%(school)s申请加挂“%(name)s”牌子") % {
            "school": application.applicant_unit.name,
            "name": cleaned["plaque_name"],
        }

    def save_detail(self, application, cleaned) -> None:
        fields = {
            name: cleaned[name]
            for name in (
                "plaque_kind",
                "plaque_name",
                "reason",
                "conditions",
                "students",
                "teachers",
                "contact_name",
                "contact_phone",
            )
        }
        DualPlaqueDetail.objects.update_or_create(application=application, defaults=fields)

    def snapshot(self, application) -> dict[str, str]:
        with translation.override("zh-hans"):  # stored: the same keys whoever saves it
            return self._snapshot(application)

    def _snapshot(self, application) -> dict[str, str]:
        detail = detail_of(application)
        rows: dict[str, str] = {}
        if detail is not None:
            for field in DualPlaqueDetail._meta.get_fields():
                if getattr(field, "concrete", False) and field.name not in ("id", "application"):
                    value = getattr(detail, field.name)
                    if field.choices:
                        value = getattr(detail, f"get_{field.name}_display")()
                    rows[str(field.verbose_name)] = str(value)
        rows[_("附件")] = "\n".join(
            f"{a.original_name}（{a.sha256[:8]}）" for a in application.attachments.all()
        )
        return rows

    # --- rules -----------------------------------------------------------------
    def check_eligibility(self, application) -> None:
        detail = detail_of(application)
        school = application.applicant_unit
        plaque_fits_school(school=school, plaque_kind=detail.plaque_kind)
        kind_label = PlaqueKind(detail.plaque_kind).label
        if SchoolPlaque.objects.filter(school=school, kind=detail.plaque_kind).exists():
            raise RuleViolation(
                _("%(school)s已加挂%(kind)s牌子，不能重复申请（%(task)s）。")
                % {"school": school.name, "kind": kind_label, "task": TASK_2},
                field="plaque_kind",
            )
        key = self.open_key(application)
        if Application.objects.filter(open_key=key).exclude(pk=application.pk).exists():
            raise RuleViolation(
                _(
                    "%(school)s已有一件加挂%(kind)s牌子的申请正在办理中，"
                    "办结前不能再次报送（每校每类牌子只能有一件在办申请）。"
                )
                % {"school": school.name, "kind": kind_label},
                field="plaque_kind",
            )

    def open_key(self, application) -> str | None:
        detail = detail_of(application)
        return f"{self.code}:{application.applicant_unit_id}:{detail.plaque_kind}"

    def competent_unit(self, application) -> Unit:
        return competent_bureau(detail_of(application).plaque_kind)

    def notice_text(self, application) -> tuple[str, str]:
        detail = detail_of(application)
        title = _("关于%(school)s加挂“%(name)s”牌子的公示") % {
            "school": application.applicant_unit.name,
            "name": detail.plaque_name,
        }
        body = _(
            "根据%(task)s，%(school)s（%(type)s）申请加挂“%(name)s”（%(kind)s）牌子，"
            "经%(competent)s审核、%(other)s会签、职技融通改革工作领导小组审批，拟予同意，现予公示。"
            "公示期间，任何单位和个人如有异议，可在本页实名提出，并留下联系方式，以便核实。"
        ) % {
            "task": TASK_2,
            "school": application.applicant_unit.name,
            "type": application.applicant_unit.get_school_type_display(),
            "name": detail.plaque_name,
            "kind": PlaqueKind(detail.plaque_kind).label,
            "competent": competent_bureau(detail.plaque_kind).name,
            "other": co_signing_bureau(detail.plaque_kind).name,
        }
        return title, body

    def on_issue(self, application, actor) -> None:
        detail = detail_of(application)
        SchoolPlaque.objects.create(
            school=application.applicant_unit,
            kind=detail.plaque_kind,
            name=detail.plaque_name,
            application=application,
            approved_at=timezone.now(),
        )

    def document_payload(self, application) -> dict:
        from .documents import reply_document_payload

        return reply_document_payload(application)

    def school_badges(self, school) -> list[str]:
        return [
            _("已加挂“%(name)s”牌子（%(kind)s，%(day)s 批准）")
            % {
                "name": p.name,
                "kind": p.get_kind_display(),
                "day": timezone.localtime(p.approved_at).date().isoformat(),
            }
            for p in SchoolPlaque.objects.filter(school=school)
        ]


DUAL_PLAQUE = register(DualPlaqueProcedure())
