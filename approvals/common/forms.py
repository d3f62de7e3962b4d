"""Forms shared by every procedure: draft forms with Chinese errors that name the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.attachments import ATTACHMENT_ACCEPT, ATTACHMENT_HELP
from workflows.forms import name_fields_in_errors

from .models import ReviewDecision


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DraftForm(forms.Form):
    """Every message names its field: 「申请理由」至少 20 个字 …"""

    files_field = "files"
    half_fields: tuple[str, ...] = ()  # short fields shown two to a row
    # field → {error code → message}, applied after the generic messages
    custom_messages: dict[str, dict] = {}

    files = forms.FileField(
        label=_("附件"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text=ATTACHMENT_HELP,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)
        for name, messages in self.custom_messages.items():
            self.fields[name].error_messages.update(messages)


def draft_form_for(model, fields, *, options=None, half_fields=(), messages=None, name=None):
    """The application form of a procedure, derived from its detail model: labels, help
    texts, choices and lengths come from the model's fields (written once, there);
    ``options`` adds what only the form knows (a minimum length, a widget, a validator)."""
    options = options or {}
    attrs = {
        field: model._meta.get_field(field).formfield(**options.get(field, {})) for field in fields
    }
    for formfield in attrs.values():
        if isinstance(formfield, forms.TypedChoiceField):  # "——" rather than "---------"
            formfield.choices = [("", "——"), *[c for c in formfield.choices if c[0] != ""]]
    attrs.update(
        field_order=[*fields, "files"],
        half_fields=tuple(half_fields),
        custom_messages=messages or {},
    )
    return type(name or f"{model.__name__}Form", (DraftForm,), attrs)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    opinion = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("退回修改或不予通过时必填，申请学校可见。"),
    )
    version = forms.IntegerField(
        label=_("版本号"), widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class VersionForm(forms.Form):
    """The step version a submit, withdraw or issue button was shown with (compare-and-set)."""

    version = forms.IntegerField(
        label=_("版本号"), required=False, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)

    def error_text(self) -> str:
        return " ".join(str(m) for errors in self.errors.values() for m in errors)


class ObjectionForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    contact = forms.CharField(
        label=_("联系方式"), max_length=100, help_text=_("手机、电话或电子邮箱，仅用于核实异议。")
    )
    reason = forms.CharField(
        label=_("异议理由"), min_length=10, max_length=2000, widget=forms.Textarea
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)


class ObjectionHandleForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=(("dismissed", _("异议不成立，继续公示")), ("upheld", _("异议成立，申请不予通过"))),
    )
    note = forms.CharField(label=_("处理意见"), max_length=2000, widget=forms.Textarea)
