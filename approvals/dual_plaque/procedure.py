"""The dual-plaque procedure (annex task 2) for the approvals kernel."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.common.applicants import SCHOOL
from approvals.common.models import Application
from approvals.common.registry import Procedure
from workflows.exceptions import RuleViolation

from .documents import reply_document
from .flows import DualPlaqueFlow
from .forms import DualPlaqueForm
from .models import DualPlaqueDetail, PlaqueKind, SchoolPlaque
from .rules import TASK_2, co_signing_bureau, competent_bureau, detail_of, plaque_fits_school
from .steps import STEPS


class DualPlaqueProcedure(Procedure):
    code = "dual_plaque"
    title = gettext_lazy("双挂牌申请")
    annex_task = 2
    applicant = SCHOOL
    flow_class = DualPlaqueFlow
    detail_model = DualPlaqueDetail
    form_class = DualPlaqueForm
    steps = STEPS
    publicity_working_days = 5
    intro_template = "dual_plaque/intro.html"
    task_panel_template = "dual_plaque/task_panel.html"
    action_labels = {"issued": gettext_lazy("印发批复")}

    def title_for(self, application, cleaned) -> str:
        return _("%(school)s申请加挂“%(name)s”牌子") % {
            "school": application.applicant_unit.name,
            "name": cleaned["plaque_name"],
        }

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
            message, field = self.open_key_message(application)
            raise RuleViolation(message, field=field)

    def open_key(self, application) -> str | None:
        detail = detail_of(application)
        return f"{self.code}:{application.applicant_unit_id}:{detail.plaque_kind}"

    def open_key_message(self, application) -> tuple[str, str]:
        detail = detail_of(application)
        return (
            _(
                "%(school)s已有一件加挂%(kind)s牌子的申请正在办理中，"
                "办结前不能再次报送（每校每类牌子只能有一件在办申请）。"
            )
            % {
                "school": application.applicant_unit.name,
                "kind": PlaqueKind(detail.plaque_kind).label,
            },
            "plaque_kind",
        )

    def competent_unit(self, application):
        return competent_bureau(detail_of(application).plaque_kind)

    def notice_text(self, application, step) -> tuple[str, str]:
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

    def document(self, application):
        return reply_document(application)

    def badges(self, unit) -> list[str]:
        return [
            _("已加挂“%(name)s”牌子（%(kind)s，%(day)s 批准）")
            % {
                "name": p.name,
                "kind": p.get_kind_display(),
                "day": timezone.localtime(p.approved_at).date().isoformat(),
            }
            for p in SchoolPlaque.objects.filter(school=unit)
        ]

    def task_panel(self, user) -> dict:
        return {"plaques": list(SchoolPlaque.objects.select_related("school", "application"))}
