from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错 5 次将锁定 15 分钟。"),
        "inactive": _("该账号已停用。"),
    }
