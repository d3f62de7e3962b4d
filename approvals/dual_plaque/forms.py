from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from ..common.forms import DraftForm
from .models import PlaqueKind

PHONE_RULE = _("「联系电话」应为 7–20 位数字，可含区号连字符，例如 0576-88881234 或 13800000000。")


class DualPlaqueForm(DraftForm):
    half_fields = ("students", "teachers", "contact_name", "contact_phone")
    field_order = [
        "plaque_kind",
        "plaque_name",
        "reason",
        "conditions",
        "students",
        "teachers",
        "contact_name",
        "contact_phone",
        "files",
    ]

    plaque_kind = forms.ChoiceField(
        label=_("加挂牌子类别"),
        choices=[("", "——")] + list(PlaqueKind.choices),
        help_text=_(
            "职业院校可加挂技师学院或高级技工学校牌子（市人力社保局审批）；"
            "技工院校可加挂职业院校牌子（市教育局审批）。"
        ),
    )
    plaque_name = forms.CharField(
        label=_("加挂牌子名称"),
        max_length=100,
        help_text=_("牌子上的全称，例如：台州市第一技师学院"),
    )
    reason = forms.CharField(
        label=_("申请理由"),
        min_length=20,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    conditions = forms.CharField(
        label=_("办学条件"),
        min_length=20,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("场地、实训设备、专业设置、师资等与所加挂牌子相应的条件。"),
    )
    students = forms.IntegerField(label=_("在校生人数"), min_value=0, max_value=100000)
    teachers = forms.IntegerField(label=_("专任教师人数"), min_value=0, max_value=10000)
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        validators=[RegexValidator(r"^[0-9][0-9\- ]{6,19}$", PHONE_RULE)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the field's "invalid" message would replace the validator's specific one
        self.fields["contact_phone"].error_messages["invalid"] = PHONE_RULE
