from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.attachments import ATTACHMENT_ACCEPT, ATTACHMENT_HELP
from workflows.forms import NamedForm
from workflows.people import display_name

from .status import local_today


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class DispatchForm(NamedForm):
    start_date = forms.DateField(
        label=_("下达日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(label=_("完成时限"), widget=forms.DateInput(attrs={"type": "date"}))
    cycle_months = forms.IntegerField(
        label=_("报送周期（月）"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("默认每月报送一次进度"),
    )
    milestones = forms.CharField(
        label=_("节点要求"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：6月底前完成方案制定；9月底前完成试点"),
    )
    requirements = forms.CharField(
        label=_("督办要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = local_today()
        self.fields["start_date"].initial = today
        self.fields["deadline"].initial = today + timedelta(days=180)


class ReportForm(NamedForm):
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    percent = forms.IntegerField(
        label=_("完成进度（%）"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("完成进度：须为0至100之间的整数"),
            "max_value": _("完成进度：须为0至100之间的整数"),
            "invalid": _("完成进度：须为0至100之间的整数"),
        },
    )
    files = MultipleFileField(
        label=_("附件"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text=ATTACHMENT_HELP,
    )


class DoneForm(NamedForm):
    summary = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 4}))


class UrgeForm(NamedForm):
    message = forms.CharField(
        label=_("催办内容"),
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_("请抓紧推进并按时报送进度。"),
    )


class ConsolidateForm(NamedForm):
    text = forms.CharField(label=_("完成情况汇总报告"), widget=forms.Textarea(attrs={"rows": 6}))


class ReviewForm(NamedForm):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("close", _("同意办结")), ("return", _("退回整改"))],
        widget=forms.RadioSelect,
        initial="close",
    )
    opinion = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填"),
    )
    units = forms.MultipleChoiceField(
        label=_("退回单位"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则退回全部责任单位"),
    )
    new_due = forms.DateField(
        label=_("新的办理时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(str(u.public_id), u.name) for u in units]


class AssignForm(NamedForm):
    assignee = forms.ChoiceField(label=_("经办人"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            (str(m.user_id), f"{display_name(m.user)}（{m.get_role_display()}）") for m in members
        ]


class ScoringFilterForm(NamedForm):
    """The scoring page's (and its .xlsx's) one parameter: which kind of unit."""

    kind = forms.ChoiceField(
        label=_("单位类别"),
        required=False,
        choices=(("", _("全部单位")), ("bureau", _("市级部门")), ("school", _("学校"))),
    )
