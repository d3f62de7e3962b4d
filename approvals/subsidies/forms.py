"""Forms of the subsidy procedures and the award pages; every message names its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.common.forms import DecisionForm, draft_form_for, name_fields_in_errors

from .models import (
    MONEY,
    ApprenticeshipDetail,
    HostingDetail,
    ProgrammeKind,
    Purpose,
    SocialTrainingDetail,
)

_DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def _money(label, **kw):
    return forms.DecimalField(label=label, min_value=0, **MONEY, **kw)


HostingForm = draft_form_for(
    HostingDetail,
    (
        "competition",
        "competition_class",
        "starts_on",
        "ends_on",
        "events",
        "participants",
        "budget_cost",
        "actual_cost",
        "contact_name",
        "contact_phone",
    ),
    options={
        "starts_on": _DATE,
        "ends_on": _DATE,
        "events": {"min_value": 1},
        "participants": {"min_value": 1},
    },
    half_fields=(
        "competition_class",
        "starts_on",
        "ends_on",
        "events",
        "participants",
        "budget_cost",
        "actual_cost",
        "contact_name",
        "contact_phone",
    ),
    name="HostingForm",
)

ApprenticeshipForm = draft_form_for(
    ApprenticeshipDetail,
    ("year", "programme_kind", "cohort", "apprentices", "partner", "contact_name", "contact_phone"),
    options={
        "year": {"min_value": 2022, "max_value": 2100},
        "apprentices": {"min_value": 1, "max_value": 10000},
    },
    half_fields=("year", "programme_kind", "apprentices", "contact_name", "contact_phone"),
    name="ApprenticeshipForm",
)

SocialTrainingForm = draft_form_for(
    SocialTrainingDetail,
    (
        "project",
        "recognition",
        "starts_on",
        "ends_on",
        "income",
        "costs",
        "remuneration",
        "staff",
        "hours",
    ),
    options={
        "starts_on": _DATE,
        "ends_on": _DATE,
        "staff": {"widget": forms.Textarea(attrs={"rows": 4})},
        "hours": {"min_value": 1},
    },
    half_fields=("starts_on", "ends_on", "income", "costs", "remuneration", "hours"),
    name="SocialTrainingForm",
)


class AmountDecisionForm(DecisionForm):
    """The HR bureau's review of a hosting subsidy: its conclusion and the amount it sets."""

    amount = _money(
        _("核定补助金额"),
        required=False,
        help_text=_("30,000.00 至 60,000.00 元（附件重点任务第8项）"),
    )


class BudgetDecisionForm(DecisionForm):
    """The finance bureau checks the amount against its budget line."""


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("拨付日期"), widget=forms.DateInput(attrs={"type": "date"}))
    voucher = forms.CharField(label=_("凭证号"), max_length=50)
    version = forms.IntegerField(
        label=_("版本号"),
        widget=forms.HiddenInput,
        min_value=0,
        max_value=2**31 - 1,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class BudgetLineForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2022, max_value=2100)
    purpose = forms.ChoiceField(label=_("用途"), choices=Purpose.choices)
    amount = _money(_("预算金额（元）"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class BudgetLineEditForm(forms.Form):
    amount = _money(_("预算金额（元）"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    version = forms.IntegerField(
        label=_("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class AwardUploadForm(forms.Form):
    sheet = forms.FileField(
        label=_("竞赛结果表（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    title = forms.CharField(
        label=_("名称"), max_length=200, required=False, help_text=_("留空时以表中的竞赛名称命名")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class AwardConfirmForm(forms.Form):
    token = forms.CharField(label=_("预览"), widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class AwardDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=(("approve", _("同意")), ("reject", _("不予通过"))),
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(
        label=_("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class AwardVersionForm(forms.Form):
    version = forms.IntegerField(
        label=_("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class AwardPaymentForm(PaymentForm):
    version = forms.IntegerField(
        label=_("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )


class ShowFullForm(forms.Form):
    full = forms.BooleanField(label=_("显示完整证件号码"), required=False)


class RateForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2022, max_value=2100)
    programme_kind = forms.ChoiceField(label=_("学徒制类型"), choices=ProgrammeKind.choices)
    rate = _money(_("每名学徒补贴标准（元）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)
