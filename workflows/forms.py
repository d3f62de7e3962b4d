"""The project's forms of the kernel: sign-in, and the Chinese messages every form uses.

Every form of the project calls ``name_fields_in_errors`` (or derives from
``NamedForm``) so a refusal names the field and the rule: 「申请理由」至少 20 个字,
never Django's bare "这个字段是必填项。".
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错 5 次将锁定 15 分钟。"),
        "inactive": _("该账号已停用。"),
    }


_MESSAGES = {
    "required": _("「{label}」为必填项，请填写。"),
    "invalid": _("「{label}」格式不正确。"),
    "invalid_choice": _("「{label}」请从列表中选择。"),
    "max_length": _("「{label}」最多 %(limit_value)d 个字（当前 %(show_value)d 个字）。"),
    "min_length": _("「{label}」至少 %(limit_value)d 个字（当前 %(show_value)d 个字）。"),
    "min_value": _("「{label}」不能小于 %(limit_value)s。"),
    "max_value": _("「{label}」不能大于 %(limit_value)s。"),
    "null_characters_not_allowed": _("「{label}」含有不允许的空字符（NUL），请删除后重新提交。"),
}


_LIMIT_CODES = (
    "min_length",
    "max_length",
    "min_value",
    "max_value",
    "null_characters_not_allowed",
)


_DEFAULTS: dict[type, dict] = {}  # field class → Django's default messages for it
_TEXTS: dict[tuple, str] = {}  # (rule, language, label) → the message


def _defaults(cls) -> dict:
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = {}
        for klass in reversed(cls.__mro__):
            defaults.update(getattr(klass, "default_error_messages", {}))
        _DEFAULTS[cls] = defaults
    return defaults


def _text(key: str, label: str) -> str:
    """The message of ``key`` naming ``label``, worded once per language (a form is built
    on every request: translating each template for each field each time cost more than
    validating the form)."""
    cache_key = (key, get_language(), label)
    text = _TEXTS.get(cache_key)
    if text is None:
        text = _TEXTS[cache_key] = str(_MESSAGES[key]).replace("{label}", label)
    return text


def name_fields_in_errors(form) -> None:
    """Rewrite Django's generic messages so each names its field and the rule."""
    for field in form.fields.values():
        defaults = _defaults(type(field))
        label = str(field.label)
        for key in _MESSAGES:
            current = field.error_messages.get(key)
            default = defaults.get(key)
            # a message of the field's own stays
            if current is None or current is default or current == default:
                field.error_messages[key] = _text(key, label)
        for validator in field.validators:
            code = getattr(validator, "code", None)
            if code in _LIMIT_CODES and validator.message == type(validator).message:
                validator.message = field.error_messages[code]
        # a browser cuts a pasted text at maxlength without a word: show the limit as a
        # counter (static/js/counter.js) and let the server refuse, keeping what was typed
        if isinstance(field.widget, forms.Textarea) and "maxlength" in field.widget.attrs:
            field.widget.attrs["data-maxlength"] = field.widget.attrs.pop("maxlength")


class NamedForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields_in_errors(self)
