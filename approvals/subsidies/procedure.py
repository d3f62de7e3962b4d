"""The subsidy procedures on the approvals kernel: competition hosting (row 8),
apprenticeship (row 10) and social-training remuneration (row 13)."""

from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.common.applicants import SCHOOL, UnitApplicant
from approvals.common.models import Application, ApplicationStatus
from approvals.common.registry import Procedure
from docs_gen.values import DocumentValue
from workflows.exceptions import RuleViolation
from workflows.models import UnitKind
from workflows.units import unit_by_code

from . import budget
from .flows import ApprenticeshipFlow, HostingFlow, SocialTrainingFlow
from .forms import ApprenticeshipForm, HostingForm, SocialTrainingForm
from .models import (
    ApprenticeshipDetail,
    AwardImport,
    AwardStatus,
    HostingDetail,
    ProgrammeKind,
    Purpose,
    SocialTrainingDetail,
    yuan,
)
from .rules import ROW_8, apprenticeship_amount, check_remuneration
from .steps import APPRENTICESHIP_STEPS, HOSTING_STEPS, SOCIAL_TRAINING_STEPS

HOSTING_UNIT = UnitApplicant(
    UnitKind.ENTERPRISE, UnitKind.ASSOCIATION, UnitKind.SCHOOL, label=gettext_lazy("承办单位")
)


def _dates_in_order(detail, start="starts_on", end="ends_on", label=None):
    if getattr(detail, end) < getattr(detail, start):
        raise RuleViolation(
            _("「%(label)s」不能早于开始日期。") % {"label": label or _("结束日期")}, field=end
        )


class _MoneyShown(Procedure):
    """Amounts in the reviewers' snapshot read ¥12,345.00."""

    def snapshot(self, application):
        rows = super().snapshot(application)
        detail = self.detail_of(application)
        if detail is not None:
            with translation.override("zh-hans"):
                for field in detail._meta.concrete_fields:
                    label = str(field.verbose_name)
                    value = getattr(detail, field.name)
                    if isinstance(value, Decimal) and label in rows:
                        rows[label] = yuan(value)
        return rows


class _SubsidyProcedure(_MoneyShown):
    budget_purpose = ""

    def budget_year(self, application) -> int:
        raise NotImplementedError

    def grant_amount(self, application) -> Decimal:
        raise NotImplementedError

    def competent_unit(self, application):
        return unit_by_code("hrss")

    def _year_figures(self, year):
        qs = Application.objects.filter(procedure=self.code, submitted_at__year=year)
        return {
            "submitted": qs.count(),
            "approved": qs.filter(status=ApplicationStatus.APPROVED).count(),
            **budget.granted_and_paid(self.budget_purpose, year),
        }

    task_panel_template = "subsidies/task_panel.html"

    def task_panel(self, user):
        year = timezone.localdate().year
        return {
            "procedure": self,
            "year": year,
            "rows": [{"label": self.title, **self._year_figures(year)}],
        }


class HostingProcedure(_SubsidyProcedure):
    code = "hosting"
    title = gettext_lazy("竞赛承办补助")
    annex_task = 8
    applicant = HOSTING_UNIT
    flow_class = HostingFlow
    detail_model = HostingDetail
    form_class = HostingForm
    steps = HOSTING_STEPS
    intro_template = "subsidies/intro_hosting.html"
    budget_purpose = Purpose.HOSTING

    def title_for(self, application, cleaned):
        return _("%(unit)s承办“%(c)s”工作经费补助申请") % {
            "unit": application.applicant_unit.name,
            "c": cleaned["competition"],
        }

    def budget_year(self, application):
        return self.detail_of(application).starts_on.year

    def set_amount(self, application, amount):
        HostingDetail.objects.filter(application=application).update(granted_amount=amount)

    def grant_amount(self, application):
        amount = self.detail_of(application).granted_amount
        if amount is None:
            raise RuleViolation(_("人力社保局尚未核定补助金额。"), field="amount")
        return amount

    def check_eligibility(self, application):
        detail = self.detail_of(application)
        _dates_in_order(detail)
        if detail.actual_cost <= 0:
            raise RuleViolation(
                _("「实际费用（元）」应大于 0：补助按%(row)s用于承办竞赛的工作经费。")
                % {"row": ROW_8},
                field="actual_cost",
            )

    def open_key(self, application):
        detail = self.detail_of(application)
        return f"{self.code}:{application.applicant_unit_id}:{detail.competition}"

    def open_key_message(self, application):
        return (_("本单位承办该竞赛的补助申请已在办理中，办结前不能重复报送。"), "competition")

    def task_panel(self, user):
        context = super().task_panel(user)
        context["rows"].append(awards_figures(context["year"]))
        return context

    def document(self, application):
        detail = self.detail_of(application)
        hr = unit_by_code("hrss")
        unit = application.applicant_unit
        amount = yuan(detail.granted_amount).replace("¥", "")
        return DocumentValue(
            kind="notice",
            issuer=hr,
            title=f"{hr.full_name or hr.name}关于下达{detail.competition}承办工作经费补助的通知",
            addressees=(unit.full_name or unit.name,),
            body=(
                {
                    "type": "paragraph",
                    "text": f"根据{ROW_8}“对承办全市职业技能大赛的单位给予3万元-6万元的"
                    f"工作经费补助”的规定，经市人力社保局审核、市财政局预算审核，现将你单位承办"
                    f"{detail.competition}（{detail.competition_class}竞赛）的工作经费补助下达如下：",
                },
                {
                    "type": "table",
                    "header": ["项目", "内容"],
                    "rows": [
                        ["承办单位", unit.full_name or unit.name],
                        ["竞赛名称", detail.competition],
                        ["竞赛类别", detail.competition_class],
                        ["竞赛时间", f"{detail.starts_on:%Y-%m-%d} 至 {detail.ends_on:%Y-%m-%d}"],
                        ["竞赛项目数", str(detail.events)],
                        ["参赛人数", str(detail.participants)],
                        ["补助金额（元）", amount],
                    ],
                },
                {
                    "type": "paragraph",
                    "text": "补助资金专款用于竞赛组织工作，请按规定使用并接受监督检查。",
                },
            ),
            cc=("台州市财政局",),
        )


class ApprenticeshipProcedure(_SubsidyProcedure):
    code = "apprenticeship"
    title = gettext_lazy("学徒制补贴")
    annex_task = 10
    applicant = SCHOOL
    flow_class = ApprenticeshipFlow
    detail_model = ApprenticeshipDetail
    form_class = ApprenticeshipForm
    steps = APPRENTICESHIP_STEPS
    intro_template = "subsidies/intro_apprenticeship.html"
    budget_purpose = Purpose.APPRENTICESHIP

    def title_for(self, application, cleaned):
        return _("%(s)s%(c)s%(k)s补贴申请") % {
            "s": application.applicant_unit.name,
            "c": cleaned["cohort"],
            "k": ProgrammeKind(cleaned["programme_kind"]).label,
        }

    def budget_year(self, application):
        return self.detail_of(application).year

    def grant_amount(self, application):
        detail = self.detail_of(application)
        # the school is deliberately not an argument: row 10, both categories alike
        return apprenticeship_amount(
            year=detail.year, programme_kind=detail.programme_kind, apprentices=detail.apprentices
        )

    def check_eligibility(self, application):
        self.grant_amount(application)

    def open_key(self, application):
        detail = self.detail_of(application)
        return f"{self.code}:{application.applicant_unit_id}:{detail.year}:{detail.cohort}"

    def open_key_message(self, application):
        return (_("本校该班级（批次）的学徒制补贴申请已在办理中，办结前不能重复报送。"), "cohort")

    def snapshot(self, application):
        rows = super().snapshot(application)
        try:
            rows[_("补贴金额（标准 × 学徒人数）")] = yuan(self.grant_amount(application))
        except RuleViolation as exc:
            rows[_("补贴金额（标准 × 学徒人数）")] = exc.message
        return rows


class SocialTrainingProcedure(_MoneyShown):
    code = "social_training"
    title = gettext_lazy("社会培训劳务报酬")
    annex_task = 13
    applicant = SCHOOL
    flow_class = SocialTrainingFlow
    detail_model = SocialTrainingDetail
    form_class = SocialTrainingForm
    steps = SOCIAL_TRAINING_STEPS
    intro_template = "subsidies/intro_social_training.html"
    task_panel_template = "subsidies/task_panel.html"

    def title_for(self, application, cleaned):
        return _("%(s)s“%(p)s”社会培训劳务报酬申请") % {
            "s": application.applicant_unit.name,
            "p": cleaned["project"],
        }

    def check_eligibility(self, application):
        detail = self.detail_of(application)
        _dates_in_order(detail, label=_("培训结束日期"))
        check_remuneration(
            income=detail.income, costs=detail.costs, remuneration=detail.remuneration
        )

    def competent_unit(self, application):
        return unit_by_code("hrss")

    def task_panel(self, user):
        from django.db.models import Sum

        year = timezone.localdate().year
        qs = Application.objects.filter(procedure=self.code, submitted_at__year=year)
        approved = SocialTrainingDetail.objects.filter(
            application__in=qs.filter(status=ApplicationStatus.APPROVED)
        )
        granted = approved.aggregate(s=Sum("remuneration"))["s"] or Decimal("0")
        return {
            "procedure": self,
            "year": year,
            "rows": [
                {
                    "label": self.title,
                    "submitted": qs.count(),
                    "approved": approved.count(),
                    "granted": granted,
                    "paid": granted,
                    "granted_count": approved.count(),
                    "paid_count": approved.count(),
                }
            ],
            "note": _("劳务报酬由学校从培训收入中发放，批准即可发放。"),
        }


def awards_figures(year):
    imports = AwardImport.objects.filter(year=year).exclude(status=AwardStatus.REJECTED)
    return {
        "label": _("竞赛获奖奖励"),
        "submitted": imports.count(),
        "approved": imports.filter(status=AwardStatus.ISSUED).count(),
        **budget.granted_and_paid(Purpose.AWARDS, year),
    }
