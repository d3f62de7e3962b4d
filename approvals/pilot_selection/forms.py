"""Pilot selection's forms. Every message names its field (``name_fields_in_errors``).

The application form is the kernel's ``DraftForm``: a fixed set of statement fields
(one per criterion, at most ``MAX_CRITERIA``), labelled and required after the
round's criteria. The round is the application's (``PilotSelectionProcedure.initial``
puts it in ``round_ref``); what is stored is keyed by criterion name.
"""

import copy
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.common.forms import DraftForm, name_fields_in_errors
from approvals.common.models import Round
from workflows.models import Expert, SchoolType

from .scoring import Criterion

MAX_CRITERIA = 10


def statement_field(index: int) -> str:
    return f"statement_{index}"


class PilotApplicationForm(DraftForm):
    half_fields = ("contact_name", "contact_phone")

    round_ref = forms.CharField(required=False, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=50)
    contact_phone = forms.RegexField(
        label=gettext_lazy("联系电话"),
        max_length=30,
        regex=r"^[0-9][0-9\- ]{6,19}$",
    )
    custom_messages = {
        "contact_phone": {
            "invalid": gettext_lazy(
                "「联系电话」应为 7–20 位数字，可含区号连字符，例如 0576-88881234。"
            )
        }
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        self.round = Round.objects.filter(public_id=_uuid_or_none(source.get("round_ref"))).first()
        criteria = Criterion.list_of(self.round.criteria) if self.round else []
        for index in range(1, MAX_CRITERIA + 1):
            name = statement_field(index)
            if index > len(criteria):
                del self.fields[name]
                continue
            c = criteria[index - 1]
            field = self.fields[name]
            # validators are shared between instances of a field: give this one its own,
            # since the messages below name this round's criterion
            field.validators = [copy.copy(v) for v in field.validators]
            for v in field.validators:
                v.message = type(v).message  # named again below, after this label
            field.error_messages = dict(forms.CharField().error_messages)
            field.label = c.name
            field.required = True
            field.help_text = _("对照“%(name)s”写明本校情况（满分 %(max)s 分，权重 %(w)s%%）。") % {
                "name": c.name,
                "max": c.max,
                "w": c.weight,
            }
        name_fields_in_errors(self)
        for name, messages in self.custom_messages.items():
            self.fields[name].error_messages.update(messages)


for _i in range(1, MAX_CRITERIA + 1):
    PilotApplicationForm.base_fields[statement_field(_i)] = forms.CharField(
        label=gettext_lazy("申报内容"),
        required=False,
        min_length=10,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
PilotApplicationForm.base_fields = {
    "round_ref": PilotApplicationForm.base_fields["round_ref"],
    **{
        statement_field(i): PilotApplicationForm.base_fields[statement_field(i)]
        for i in range(1, MAX_CRITERIA + 1)
    },
    "contact_name": PilotApplicationForm.base_fields["contact_name"],
    "contact_phone": PilotApplicationForm.base_fields["contact_phone"],
    "files": PilotApplicationForm.base_fields["files"],
}
PilotApplicationForm.declared_fields = dict(PilotApplicationForm.base_fields)


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# --- the round ------------------------------------------------------------------------


class CriteriaField(forms.CharField):
    """One criterion a line: 名称 满分 权重 (e.g. ``办学基础 20 20``)."""

    widget = forms.Textarea(attrs={"rows": 6})

    def to_python(self, value):
        text = super().to_python(value)
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            for sep in ("|", "，", ",", "\t", "、"):
                line = line.replace(sep, " ")
            parts = line.rsplit(None, 2)
            if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
                raise forms.ValidationError(
                    _("「评审标准」第 %(n)s 行应为“名称 满分 权重”，满分和权重为整数。")
                    % {"n": number}
                )
            rows.append({"name": parts[0].strip(), "max": int(parts[1]), "weight": int(parts[2])})
        return rows


def criteria_text(criteria) -> str:
    return "\n".join(f"{c['name']} {c['max']} {c['weight']}" for c in criteria)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RoundForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2022, max_value=2100)
    name = forms.CharField(label=gettext_lazy("批次名称"), max_length=200)
    quota = forms.IntegerField(label=gettext_lazy("名额"), min_value=1, max_value=100)
    opens_at = forms.DateTimeField(
        label=gettext_lazy("申报开始"),
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("申报截止"),
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    scoring_deadline = forms.DateTimeField(
        label=gettext_lazy("评分截止"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=gettext_lazy("到期未提交评分的专家不再计分；留空则等全部专家提交。"),
    )
    school_types = forms.MultipleChoiceField(
        label=gettext_lazy("可申报学校类型"),
        choices=SchoolType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[t.value for t in SchoolType],
    )
    criteria = CriteriaField(
        label=gettext_lazy("评审标准"),
        max_length=3000,
        help_text=gettext_lazy(
            "每行一项：名称 满分 权重，例如“办学基础 20 20”；权重合计须为 100。"
            "首件申请报送后评审标准即锁定。"
        ),
    )
    required_attachments = forms.CharField(
        label=gettext_lazy("须提交的附件"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一项，例如“申报书”“佐证材料”。"),
    )
    panel_size = forms.IntegerField(
        label=gettext_lazy("评审专家人数"), min_value=3, max_value=15, initial=5
    )
    version = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)

    def clean_required_attachments(self):
        text = self.cleaned_data["required_attachments"]
        return [line.strip() for line in text.splitlines() if line.strip()]


# --- the panel, the scores ---------------------------------------------------------------


class ExpertChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        unit = obj.affiliation.name if obj.affiliation_id else _("无工作单位登记")
        return f"{obj}（{obj.field}，{unit}）"


class PanelForm(forms.Form):
    experts = ExpertChoice(
        label=gettext_lazy("评审专家"),
        queryset=Expert.objects.filter(active=True).select_related("user", "affiliation"),
        widget=forms.CheckboxSelectMultiple,
    )
    application = forms.ChoiceField(label=gettext_lazy("分配给"), required=False)
    version = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [
            ("", _("本批次全部待评审的申请（之后进入评审的申请也用这个评审组）")),
            *[(str(a.public_id), a.applicant_unit.name) for a in applications],
        ]
        name_fields_in_errors(self)


def score_field(index: int) -> str:
    return f"score_{index}"


class ScoreForm(forms.Form):
    """One field a criterion, 0..max with one decimal place."""

    comment = forms.CharField(
        label=gettext_lazy("评审意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    action = forms.ChoiceField(
        choices=(("save", gettext_lazy("暂存")), ("submit", gettext_lazy("提交"))),
        initial="save",
        required=False,
    )
    version = forms.IntegerField(
        label=gettext_lazy("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for index, c in enumerate(self.criteria, start=1):
            self.fields[score_field(index)] = forms.DecimalField(
                label=c.name,
                min_value=Decimal(0),
                max_value=Decimal(c.max),
                max_digits=5,
                decimal_places=1,
                required=False,
                help_text=_("0–%(max)s 分，可保留一位小数；权重 %(w)s%%。")
                % {"max": c.max, "w": c.weight},
                widget=forms.NumberInput(attrs={"step": "0.1", "min": 0, "max": c.max}),
            )
        self.order_fields([score_field(i) for i in range(1, len(self.criteria) + 1)])
        name_fields_in_errors(self)
        for index, c in enumerate(self.criteria, start=1):
            self.fields[score_field(index)].error_messages["max_decimal_places"] = _(
                "「%(label)s」最多保留一位小数。"
            ) % {"label": c.name}

    def scores(self) -> dict[str, Decimal | None]:
        return {
            c.name: self.cleaned_data.get(score_field(i))
            for i, c in enumerate(self.criteria, start=1)
        }


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("回避理由"),
        min_length=4,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(
        label=gettext_lazy("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class RoundDecisionForm(forms.Form):
    selected = forms.MultipleChoiceField(
        label=gettext_lazy("入选学校"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=gettext_lazy("决定说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("不按排名顺序选择或少于名额时必填。"),
    )
    version = forms.IntegerField(
        label=gettext_lazy("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = choices
        name_fields_in_errors(self)


class RoundVersionForm(forms.Form):
    version = forms.IntegerField(
        label=gettext_lazy("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)
