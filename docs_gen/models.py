"""Official documents (公文): issuers, the number registry and the documents themselves.

Lifecycle: draft → pending sign-off → signed (签发, by a leader of the issuing
unit; for a joint document, after every co-issuer's leader has countersigned, 会签) → issued (number assigned at that moment, never earlier; rendered to PDF
after commit) → possibly revoked (作废: kept, marked everywhere). An issued
document never changes: its layout data is frozen in ``snapshot`` and its PDF's
SHA-256 is recorded.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workflows import dbguard
from workflows.models import Unit


class Issuer(models.Model):
    """A unit that issues documents in its own name: its 机关代字 and its red mark."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="issuer")
    code = models.CharField(_("机关代字"), max_length=20, unique=True)  # 台教, 台政办
    mark_name = models.CharField(_("发文机关全称"), max_length=100)  # 台州市教育局
    printer = models.CharField(_("印发机关"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("发文机关")
        verbose_name_plural = _("发文机关")

    def __str__(self):
        return f"{self.mark_name}（{self.code}）"

    @property
    def printing_unit(self) -> str:
        return self.printer or f"{self.mark_name}办公室"


class NumberCounter(models.Model):
    """The last number given per issuer, series and year.

    Numbers are consecutive from 1 and never reused: the row is locked with
    SELECT … FOR UPDATE in the transaction that issues the document, so a rolled
    back issue rolls the counter back too and no gap appears.
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="counters")
    series = models.CharField(_("文种代字"), max_length=10)  # 发, 函
    year = models.PositiveSmallIntegerField(_("年份"))
    last = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("发文字号计数")
        verbose_name_plural = _("发文字号计数")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "series", "year"], name="docs_counter_one_per_year"
            )
        ]
        triggers = dbguard.counter_triggers()  # never deleted, never lowered

    def __str__(self):
        return f"{self.issuer.code}{self.series}〔{self.year}〕 → {self.last}"


class DocumentKind(models.TextChoices):
    REPLY = "reply", pgettext_lazy("document kind", "批复")
    NOTICE = "notice", pgettext_lazy("document kind", "通知")
    DECISION = "decision", pgettext_lazy("document kind", "决定")
    PUBLIC_NOTICE = "public_notice", pgettext_lazy("document kind", "公示")
    BULLETIN = "bulletin", pgettext_lazy("document kind", "通报")
    LETTER = "letter", pgettext_lazy("document kind", "函")


class Secrecy(models.TextChoices):
    """密级 (GB/T 9704 §7.2.2), printed on line 2 of the 版头's left side."""

    SECRET = "秘密", pgettext_lazy("secrecy", "秘密")
    CONFIDENTIAL = "机密", pgettext_lazy("secrecy", "机密")
    TOP_SECRET = "绝密", pgettext_lazy("secrecy", "绝密")


class Urgency(models.TextChoices):
    """紧急程度 (GB/T 9704 §7.2.3)."""

    URGENT = "加急", pgettext_lazy("urgency", "加急")
    EXTRA_URGENT = "特急", pgettext_lazy("urgency", "特急")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING_SIGNOFF = "pending_signoff", _("待签发")
    SIGNED = "signed", _("已签发")
    ISSUED = "issued", _("已印发")
    REVOKED = "revoked", _("已作废")


class RenderStatus(models.TextChoices):
    NONE = "none", _("未生成")
    QUEUED = "queued", _("排队中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class IssueBatch(models.Model):
    """Documents issued together (e.g. 200 award notices); progress = rendered / total."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    label = models.CharField(_("批次"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("批量印发")
        verbose_name_plural = _("批量印发")

    def __str__(self):
        return self.label

    @classmethod
    def unit_scope(cls, units) -> models.Q:
        return models.Q(unit__in=[u.pk for u in units])


class OfficialDocument(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("文种"), max_length=20, choices=DocumentKind.choices)
    series = models.CharField(_("文种代字"), max_length=10, default="发")
    title = models.CharField(_("标题"), max_length=200)
    addressees = models.JSONField(_("主送机关"), default=list)
    body = models.JSONField(_("正文"), default=list)
    attachments = models.JSONField(_("附件"), default=list)
    cc = models.JSONField(_("抄送机关"), default=list)
    note = models.CharField(_("附注"), max_length=200, blank=True)
    upward = models.BooleanField(_("上行文（标注签发人）"), default=False)
    # optional 版头 elements (GB/T 9704 §7.2), top left of the text block, one per line
    copy_number = models.CharField(_("份号"), max_length=6, blank=True)
    secrecy = models.CharField(_("密级"), max_length=4, choices=Secrecy.choices, blank=True)
    secrecy_term = models.CharField(_("保密期限"), max_length=20, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=4, choices=Urgency.choices, blank=True)

    status = models.CharField(
        _("状态"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    signer_name = models.CharField(_("签发人姓名"), max_length=50, blank=True)
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)

    year = models.PositiveSmallIntegerField(null=True, blank=True)
    serial = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("发文字号"), max_length=50, blank=True, db_index=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    print_date = models.DateField(_("印发日期"), null=True, blank=True)
    snapshot = models.JSONField(_("版式数据"), null=True, blank=True, editable=False)
    verification_code = models.CharField(
        _("验证码"), max_length=12, unique=True, null=True, blank=True
    )

    render_status = models.CharField(
        _("生成状态"), max_length=10, choices=RenderStatus.choices, default=RenderStatus.NONE
    )
    render_error = models.TextField(_("生成错误"), blank=True)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(_("PDF"), upload_to="docs/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    batch = models.ForeignKey(
        IssueBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    # the procedure's object this document speaks for (a reply's application …)
    source_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True
    )
    source_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-issued_at", "-created_at"]
        verbose_name = _("公文")
        verbose_name_plural = _("公文")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "series", "year", "serial"],
                condition=models.Q(serial__isnull=False),
                name="docs_number_once",
            )
        ]
        indexes = [models.Index(fields=["source_type", "source_id"])]
        triggers = dbguard.document_triggers()  # issued/revoked: kept, number frozen

    def __str__(self):
        return f"{self.number or '（未编号）'} {self.title}"

    @classmethod
    def unit_scope(cls, units) -> models.Q:
        """Staff see their own unit's documents (drafts included), and those their unit
        issues jointly as a co-issuer (to countersign them); access.visible adds the
        leading group and office, who see everything."""
        ids = [u.pk for u in units]
        joint = CoIssuer.objects.filter(issuer__unit__in=ids).values("document_id")
        return models.Q(issuer__unit__in=ids) | models.Q(pk__in=joint)

    @property
    def is_joint(self) -> bool:
        return self.co_issuers.exists()

    @property
    def is_issued(self) -> bool:
        return self.status in (DocumentStatus.ISSUED, DocumentStatus.REVOKED)

    @property
    def code_display(self) -> str:
        c = self.verification_code or ""
        return f"{c[:4]}-{c[4:]}" if len(c) == 8 else c


class CoIssuer(models.Model):
    """A co-issuer (联署机关) of a joint document (联合行文), after the lead.

    The lead is the document's ``issuer``: its number series, its 印发机关, its staff
    draft and issue. Each co-issuer's name stands in the red mark and the signature in
    ``position`` order, and a leader of each co-issuer countersigns (会签) the text
    before the lead's leader may sign it off (签发)."""

    document = models.ForeignKey(
        OfficialDocument, on_delete=models.CASCADE, related_name="co_issuers"
    )
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="co_issued")
    position = models.PositiveSmallIntegerField(_("顺序"))  # 1, 2, … after the lead
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("会签人"),
    )
    countersigner_name = models.CharField(_("会签人姓名"), max_length=50, blank=True)
    countersigned_at = models.DateTimeField(_("会签时间"), null=True, blank=True)
    opinion = models.CharField(_("会签意见"), max_length=2000, blank=True)

    class Meta:
        ordering = ["document", "position"]
        verbose_name = _("联署机关")
        verbose_name_plural = _("联署机关")
        constraints = [
            models.UniqueConstraint(fields=["document", "issuer"], name="docs_coissuer_once"),
            models.UniqueConstraint(
                fields=["document", "position"], name="docs_coissuer_position_once"
            ),
        ]

    def __str__(self):
        return f"{self.document_id} · {self.position} · {self.issuer.mark_name}"

    @property
    def countersigned(self) -> bool:
        return self.countersigned_at is not None
