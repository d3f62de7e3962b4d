import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.forms import NamedForm
from workflows.upload_limits import max_upload_bytes, max_upload_label

from .models import DocumentKind, Secrecy, Urgency
from .text import attachments_from_text, blocks_from_text, text_from_attachments, text_from_blocks


def _split_names(value: str) -> list[str]:
    """Bodies are separated by ， ; or new lines; 、 stays inside a name ("各县（市、区）…")."""
    return [p.strip() for p in re.split(r"[，,；;\n]+", value or "") if p.strip()]


class DocumentForm(NamedForm):
    issuer = forms.ChoiceField(label=_("发文机关"))
    co_issuers = forms.MultipleChoiceField(
        label=_("联署机关"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "联合行文时勾选：发文机关为主办机关，使用其发文字号；联署机关按机关排序列在其后，"
            "版头和落款依次标注各机关名称、加盖各机关印章，须经各联署机关分管领导会签后方可签发。"
        ),
    )
    kind = forms.ChoiceField(label=_("文种"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    addressees = forms.CharField(
        label=_("主送机关"), help_text=_("多个机关用逗号或换行分隔"), required=False
    )
    body = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "段落之间空一行；以“一、”“（一）”“1.”“（1）”开头的段落为一至四级标题；各行含“|”的段落为表格（首行为表头）。"
        ),
    )
    attachments = forms.CharField(
        label=_("附件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每个附件以一行“附件：标题”开始，其后为附件正文。"),
    )
    note = forms.CharField(
        label=_("附注"), required=False, max_length=200, help_text=_("如：此件公开发布")
    )
    cc = forms.CharField(label=_("抄送机关"), required=False)
    upward = forms.BooleanField(label=_("上行文（版头标注签发人）"), required=False)
    # optional 版头 elements (GB/T 9704 §7.2)
    copy_number = forms.RegexField(
        label=_("份号"),
        required=False,
        regex=r"^\d{1,6}$",
        max_length=6,
        help_text=_("涉密公文的份号，1至6位阿拉伯数字，印制时补足6位；不需要时留空"),
        error_messages={"invalid": _("「份号」只能是1至6位阿拉伯数字。")},
    )
    secrecy = forms.ChoiceField(
        label=_("密级"), required=False, choices=[("", _("（无）")), *Secrecy.choices]
    )
    secrecy_term = forms.CharField(
        label=_("保密期限"),
        required=False,
        max_length=20,
        help_text=_("如：1年；印为“秘密★1年”"),
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"), required=False, choices=[("", _("（无）")), *Urgency.choices]
    )

    def __init__(self, *args, issuers=(), co_issuers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [(str(i.unit.public_id), i.mark_name) for i in issuers]
        self._issuers = {str(i.unit.public_id): i for i in issuers}
        # every registered issuer may be a co-issuer, listed in the registry's order
        co_issuers = sorted(co_issuers, key=lambda i: (i.unit.sort_order, i.unit_id))
        self.fields["co_issuers"].choices = [
            (str(i.unit.public_id), i.mark_name) for i in co_issuers
        ]
        self._co_issuers = {str(i.unit.public_id): i for i in co_issuers}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "addressees": _split_names(data["addressees"]),
            "body": blocks_from_text(data["body"]),
            "attachments": attachments_from_text(data["attachments"]),
            "note": data["note"],
            "cc": _split_names(data["cc"]),
            "upward": data["upward"],
            "copy_number": data["copy_number"],
            "secrecy": data["secrecy"],
            "secrecy_term": data["secrecy_term"],
            "urgency": data["urgency"],
            # in the registry's order (the choices' order), whatever order was posted
            "co_issuers": [
                self._co_issuers[key].unit
                for key in self._co_issuers
                if key in set(data["co_issuers"])
            ],
        }

    def issuer_unit(self):
        return self._issuers[self.cleaned_data["issuer"]].unit

    @staticmethod
    def initial_from(document) -> dict:
        return {
            "issuer": str(document.issuer.unit.public_id),
            "co_issuers": [
                str(c.issuer.unit.public_id)
                for c in document.co_issuers.select_related("issuer__unit")
            ],
            "kind": document.kind,
            "title": document.title,
            "addressees": "，".join(document.addressees),
            "body": text_from_blocks(document.body),
            "attachments": text_from_attachments(document.attachments),
            "note": document.note,
            "cc": "，".join(document.cc),
            "upward": document.upward,
            "copy_number": document.copy_number,
            "secrecy": document.secrecy,
            "secrecy_term": document.secrecy_term,
            "urgency": document.urgency,
        }


class UUIDListField(forms.Field):
    """Several ids under one name (checkboxes); each must be a UUID."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("「%(label)s」格式不正确：%(value)s 不是有效的编号。")}

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for item in values:
            try:
                ids.append(uuid.UUID(str(item)))
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid"],
                    code="invalid",
                    params={"label": self.label, "value": str(item)[:40]},
                ) from None
        return ids


class BatchIssueForm(NamedForm):
    documents = UUIDListField(label=_("公文"), required=False)
    label = forms.CharField(label=_("批次名称"), required=False, max_length=200)


class DocumentActionForm(NamedForm):
    """What a lifecycle button may carry: an opinion (return, sign) or a reason (revoke)."""

    opinion = forms.CharField(label=_("意见"), required=False, max_length=2000)
    reason = forms.CharField(label=_("作废原因"), required=False, max_length=200)


class VerifyUploadForm(NamedForm):
    file = forms.FileField(label=_("待核验的 PDF 文件"))

    def clean_file(self):
        """Refuse by its size, before any of it is read (an oversized upload has no content
        left: workflows/upload_limits.py)."""
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("「待核验的 PDF 文件」大小为 %(size).1f MB，超过 %(limit)s 的上限。")
                % {"size": upload.size / 1024 / 1024, "limit": max_upload_label()}
            )
        return upload
