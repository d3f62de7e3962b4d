"""The dual-track promotion procedure (annex task 17) for the approvals kernel."""

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.common.applicants import PERSON_AT_SCHOOL
from approvals.common.models import Application, ApplicationStatus
from approvals.common.registry import Procedure
from workflows.exceptions import RuleViolation
from workflows.people import display_name
from workflows.units import EDU, HRSS, unit_by_code

from .documents import result_document
from .flows import PromotionFlow
from .forms import PromotionForm
from .models import Credential, Grade, Panel, PanelState, PersonRecord, PromotionDetail
from .rules import ROUTES, TASK_17, check_route, rule_for
from .steps import STEPS

# the fields of one direction only: left out of the other direction's snapshot
TITLE_FIELDS = ("teaching_years", "annual_hours", "courses")
QUALIFICATION_FIELDS = ("occupation", "practice_years", "practical_work")


class PromotionProcedure(Procedure):
    code = "promotion"
    title = gettext_lazy("双线晋升申请")
    annex_task = 17
    applicant = PERSON_AT_SCHOOL
    flow_class = PromotionFlow
    detail_model = PromotionDetail
    form_class = PromotionForm
    steps = STEPS
    publicity_working_days = 5
    intro_template = "promotion/intro.html"
    task_panel_template = "promotion/task_panel.html"
    action_labels = {"issued": gettext_lazy("印发结果通知")}
    routes = ROUTES  # the mapping table, shown on the form (intro.html)

    def title_for(self, application, cleaned) -> str:
        rule = rule_for(cleaned["route"])
        return _("%(name)s申报%(target)s（双线晋升）") % {
            "name": display_name(application.applicant_person),
            "target": Grade(rule.target).label,
        }

    def snapshot(self, application) -> dict[str, str]:
        rows = super().snapshot(application)
        detail = self.detail_of(application)
        if detail is None:
            return rows
        rule = rule_for(detail.route)
        unused = QUALIFICATION_FIELDS if rule.to_title else TITLE_FIELDS
        with translation.override("zh-hans"):
            for name in unused:
                rows.pop(str(PromotionDetail._meta.get_field(name).verbose_name), None)
            record = PersonRecord.objects.filter(user=application.applicant_person).first()
            if record is not None and record.id_number:
                rows[_("身份证号")] = record.masked_id_number
            # what the bureaus check: the held qualification or title as on the record
            held = Credential.objects.filter(
                record__user=application.applicant_person, grade=rule.held
            ).first()
            if held is not None:
                rows[_("所持资格（职称）")] = _(
                    "%(grade)s（证书编号 %(no)s，%(authority)s，%(day)s 取得）"
                ) % {
                    "grade": held.get_grade_display(),
                    "no": held.certificate_no or "—",
                    "authority": held.authority,
                    "day": held.awarded_on.isoformat(),
                }
        return {k: ("" if v == "None" else v) for k, v in rows.items()}

    # --- rules -----------------------------------------------------------------
    def check_eligibility(self, application) -> None:
        record = PersonRecord.objects.filter(user=application.applicant_person).first()
        if record is None or record.school_id != application.applicant_unit_id:
            raise RuleViolation(
                _(
                    "「申报方向」无法核对：本人在%(school)s尚无人员档案（资格、职称记录），"
                    "请学校先建立档案（%(task)s）。"
                )
                % {"school": application.applicant_unit.name, "task": TASK_17},
                field="route",
            )
        check_route(self.detail_of(application), record)
        key = self.open_key(application)
        if Application.objects.filter(open_key=key).exclude(pk=application.pk).exists():
            message, field = self.open_key_message(application)
            raise RuleViolation(message, field=field)

    def open_key(self, application) -> str | None:
        return f"{self.code}:{application.applicant_person_id}"

    def open_key_message(self, application) -> tuple[str, str]:
        return (
            _("您已有一件双线晋升申请正在办理中，办结前不能再次报送（每人只能有一件在办申请）。"),
            "route",
        )

    def competent_unit(self, application):
        return unit_by_code(HRSS)

    def notice_text(self, application, step) -> tuple[str, str]:
        detail = self.detail_of(application)
        rule = rule_for(detail.route)
        values = {
            "name": display_name(application.applicant_person),
            "school": application.applicant_unit.name,
            "held": Grade(rule.held).label,
            "target": Grade(rule.target).label,
            "level": rule.level,
            "task": TASK_17,
        }
        if step.name == "school_notice":
            title = _("关于推荐%(name)s申报%(target)s的校内公示") % values
            body = (
                _(
                    "根据%(task)s，本校%(name)s同志持%(held)s，申报%(target)s（%(level)s），"
                    "拟由学校推荐。现予校内公示，公示期间如有异议，可在本页实名提出，由学校核实处理。"
                )
                % values
            )
        else:
            title = _("关于%(name)s双线晋升评审结果的公示") % values
            body = (
                _(
                    "根据%(task)s，%(school)s%(name)s同志持%(held)s申报%(target)s（%(level)s），"
                    "经学校推荐、市人力社保局和市教育局并联审核、评审委员会评审通过，现予公示。"
                    "公示期间，任何单位和个人如有异议，可在本页实名提出，并留下联系方式，以便核实。"
                )
                % values
            )
        return title, body

    def document(self, application):
        return result_document(application)

    def record_result(self, application, actor) -> Credential:
        """The granted title or qualification on the person's record, with the document."""
        detail = self.detail_of(application)
        rule = rule_for(detail.route)
        record = PersonRecord.objects.get(user=application.applicant_person)
        panel = Panel.objects.filter(application=application, state=PanelState.TALLIED).first()
        hrss, edu = unit_by_code(HRSS), unit_by_code(EDU)
        with translation.override("zh-hans"):
            basis = _(
                "双线晋升：持%(held)s，经评审委员会评审通过（出席 %(a)s 人，同意 %(y)s 票），"
                "按%(task)s对应认定为%(target)s（%(level)s）"
            ) % {
                "held": Grade(rule.held).label,
                "a": panel.attending if panel else "—",
                "y": panel.yes if panel else "—",
                "task": "附件重点任务第17项",
                "target": Grade(rule.target).label,
                "level": rule.level,
            }
        return Credential.objects.create(
            record=record,
            grade=rule.target,
            certificate_no="",
            authority=f"{hrss.full_name or hrss.name}、{edu.full_name or edu.name}",
            awarded_on=timezone.localdate(),
            basis=basis,
            document_number=application.document.number if application.document_id else "",
            application=application,
        )

    # --- task 17's page ---------------------------------------------------------------
    def task_panel(self, user) -> dict:
        year = timezone.localdate().year
        apps = Application.objects.filter(procedure=self.code, submitted_at__year=year)
        counts = apps.aggregate(
            submitted=Count("id"),
            approved=Count("id", filter=Q(status=ApplicationStatus.APPROVED)),
            rejected=Count("id", filter=Q(status=ApplicationStatus.REJECTED)),
        )
        granted = list(
            Credential.objects.filter(application__isnull=False, awarded_on__year=year)
            .select_related("record__user", "record__school", "application__promotion")
            .order_by("awarded_on", "id")
        )
        return {
            "procedure": self,
            "year": year,
            "counts": counts,
            "in_progress": counts["submitted"] - counts["approved"] - counts["rejected"],
            "granted": [
                {
                    "name": display_name(c.record.user),
                    "school": c.record.school.name,
                    "route": c.application.promotion.get_route_display(),
                    "grade": c.get_grade_display(),
                    "awarded_on": c.awarded_on,
                    "document_number": c.document_number,
                }
                for c in granted
            ],
            "routes": ROUTES,
            "may_export_panels": _may_export_panels(user),
        }


def _may_export_panels(user) -> bool:
    from .views import panel_results

    return panel_results(user) is not None
