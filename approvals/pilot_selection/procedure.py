"""Pilot school selection (annex task 6) for the approvals kernel."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.common.applicants import SCHOOL
from approvals.common.models import Application, ApplicationStatus
from approvals.common.registry import Procedure
from workflows.exceptions import RuleViolation
from workflows.i18n import in_chinese

from . import rules
from .flows import PilotSelectionFlow
from .forms import PilotApplicationForm, statement_field
from .models import PilotDetail, PilotSchool
from .scoring import Criterion
from .steps import STEPS


class PilotSelectionProcedure(Procedure):
    code = rules.CODE
    title = gettext_lazy("职技融通改革试点院校申报")
    annex_task = 6
    applicant = SCHOOL
    flow_class = PilotSelectionFlow
    detail_model = PilotDetail
    form_class = PilotApplicationForm
    steps = STEPS
    publicity_working_days = 5
    intro_template = "pilot_selection/intro.html"
    task_panel_template = "pilot_selection/task_panel.html"
    action_labels = {
        "round_selected": gettext_lazy("领导小组决定：入选试点"),
        "round_not_selected": gettext_lazy("领导小组决定：未入选"),
    }

    # --- the form and what is stored -----------------------------------------------
    def criteria_of(self, application) -> list[Criterion]:
        return Criterion.list_of(application.round.criteria) if application.round_id else []

    def initial(self, application) -> dict:
        values = dict(application.draft_data or {})
        detail = self.detail_of(application)
        if detail is not None:
            values.setdefault("contact_name", detail.contact_name)
            values.setdefault("contact_phone", detail.contact_phone)
            for index, c in enumerate(self.criteria_of(application), start=1):
                values.setdefault(statement_field(index), detail.statements.get(c.name, ""))
        # the round is the application's, whatever a posted form said
        values["round_ref"] = str(application.round.public_id) if application.round_id else ""
        return values

    def save_detail(self, application, cleaned: dict) -> None:
        # the form validates the statements when it knew the round (its hidden round_ref);
        # what was typed is the draft either way
        raw = application.draft_data or {}
        statements = {
            c.name: cleaned.get(statement_field(index)) or str(raw.get(statement_field(index), ""))
            for index, c in enumerate(self.criteria_of(application), start=1)
        }
        PilotDetail.objects.update_or_create(
            application=application,
            defaults={
                "statements": statements,
                "contact_name": cleaned["contact_name"],
                "contact_phone": cleaned["contact_phone"],
            },
        )

    def title_for(self, application, cleaned) -> str:
        round_name = application.round.name if application.round_id else self.title
        return _("%(school)s申报%(round)s") % {
            "school": application.applicant_unit.name,
            "round": round_name,
        }

    def snapshot(self, application) -> dict[str, str]:
        from django.utils import translation

        with translation.override("zh-hans"):
            rows = {_("批次"): application.round.name if application.round_id else ""}
            detail = self.detail_of(application)
            if detail is not None:
                for c in self.criteria_of(application):
                    rows[c.name] = detail.statements.get(c.name, "")
                rows[_("联系人")] = detail.contact_name
                rows[_("联系电话")] = detail.contact_phone
            rows[_("附件")] = "\n".join(
                f"{a.original_name}（{a.sha256[:8]}）" for a in application.attachments.all()
            )
            return rows

    # --- rules -----------------------------------------------------------------------
    def check_eligibility(self, application) -> None:
        round_ = application.round
        if round_ is None:
            raise RuleViolation(
                _("「批次」请从“试点院校遴选”页面选择一个正在申报的批次后再填写（%(task)s）。")
                % {"task": rules.TASK_6},
                field="round",
            )
        school = application.applicant_unit
        pilot = round_.pilot
        if school.school_type not in pilot.school_types:
            raise RuleViolation(
                _("「学校类型」%(type)s不在“%(round)s”可申报的学校类型之内（%(task)s）。")
                % {
                    "type": school.get_school_type_display(),
                    "round": round_.name,
                    "task": rules.TASK_6,
                },
                field="round",
            )
        detail = self.detail_of(application)
        for index, c in enumerate(self.criteria_of(application), start=1):
            if not (detail and detail.statements.get(c.name, "").strip()):
                raise RuleViolation(
                    _("「%(name)s」请对照该项评审标准填写本校情况。") % {"name": c.name},
                    field=statement_field(index),
                )
        required = pilot.required_attachments
        if required and application.attachments.count() < len(required):
            raise RuleViolation(
                _("「附件」本批次须提交 %(n)s 份附件：%(list)s；目前只上传了 %(have)s 份。")
                % {
                    "n": len(required),
                    "list": "、".join(required),
                    "have": application.attachments.count(),
                },
                field="files",
            )
        earlier = (
            Application.objects.filter(round=round_, applicant_unit=school, procedure=self.code)
            .exclude(pk=application.pk)
            .exclude(submitted_at__isnull=True)
            .exclude(status=ApplicationStatus.WITHDRAWN)
        )
        if earlier.exists():
            message, field = self.open_key_message(application)
            raise RuleViolation(message, field=field)

    def open_key(self, application) -> str | None:
        return f"{self.code}:{application.round_id}:{application.applicant_unit_id}"

    def open_key_message(self, application) -> tuple[str, str]:
        return (
            _("%(school)s已向“%(round)s”报送过申请，每所学校每个批次只能申报一次（%(task)s）。")
            % {
                "school": application.applicant_unit.name,
                "round": application.round.name,
                "task": rules.TASK_6,
            },
            "round",
        )

    def competent_unit(self, application):
        return rules.edu()

    # --- the round's notice and document ----------------------------------------------------
    @in_chinese
    def round_notice_text(self, round_, step) -> tuple[str, str]:
        from .documents import notice_text

        return notice_text(round_)

    def round_document(self, round_, waiting):
        from .documents import result_document

        return result_document(round_, waiting)

    # --- after the round -------------------------------------------------------------------------
    def badges(self, unit) -> list[str]:
        return [
            _("职技融通改革试点院校（%(year)s 年度，%(round)s）")
            % {"year": flag.year, "round": flag.round.name}
            for flag in PilotSchool.objects.filter(school=unit).select_related("round")
        ]

    def task_panel(self, user) -> dict:
        from approvals.common.models import Round

        return {
            "procedure": self,
            "pilots": list(PilotSchool.objects.select_related("school", "round")),
            "rounds": list(Round.objects.filter(procedure=self.code)[:5]),
            "today": timezone.localdate(),
        }
