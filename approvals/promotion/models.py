"""Dual-track promotion (双线晋升, annex task 17): people, what they hold, what they ask for,
and the panel that votes on it.

* ``PersonRecord``: a teacher or technician working at a school (a ``staff`` membership
  ties the account to the school); ``Credential``: a technician qualification
  (技师 / 高级技师) or a teacher title (讲师 / 高级讲师) on that record.
* ``PromotionDetail``: the application form (one-to-one with the kernel's ``Application``).
* ``Panel`` / ``PanelMember`` / ``Ballot``: the review committee (评审委员会) of one
  application. A ballot has no voter and no time: who voted is a marker on the member
  (``has_voted``), what was voted is an anonymous ballot; only counts are ever shown.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from approvals.common.models import Application
from workflows.models import Expert, Unit

from .personal import mask_id_number, validate_id_number


class Track(models.TextChoices):
    TECHNICIAN = "technician", _("技师资格")
    TEACHER = "teacher", _("教师职称")


class Grade(models.TextChoices):
    TECHNICIAN = "technician", _("技师")
    SENIOR_TECHNICIAN = "senior_technician", _("高级技师")
    LECTURER = "lecturer", _("讲师")
    SENIOR_LECTURER = "senior_lecturer", _("高级讲师")


GRADE_TRACK = {
    Grade.TECHNICIAN: Track.TECHNICIAN,
    Grade.SENIOR_TECHNICIAN: Track.TECHNICIAN,
    Grade.LECTURER: Track.TEACHER,
    Grade.SENIOR_LECTURER: Track.TEACHER,
}


class PersonRecord(models.Model):
    """A teacher's or technician's record at the school they work at."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promotion_record"
    )
    school = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="promotion_records", verbose_name=_("所在学校")
    )
    post = models.CharField(_("岗位"), max_length=50, blank=True, help_text=_("例如：数控专业教师"))
    # shown masked in every list and document (personal.mask_id_number)
    id_number = models.CharField(
        _("身份证号"), max_length=18, blank=True, validators=[validate_id_number]
    )

    class Meta:
        ordering = ["school__sort_order", "id"]
        verbose_name = _("人员档案")
        verbose_name_plural = _("人员档案")

    def __str__(self):
        from workflows.people import display_name

        return display_name(self.user)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @classmethod
    def unit_scope(cls, units) -> Q:
        """The school the person works at sees the record."""
        return Q(school_id__in=[u.pk for u in units])

    @classmethod
    def user_scope(cls, user) -> Q:
        return Q(user=user)


class Credential(models.Model):
    """A technician qualification or a teacher title a person holds."""

    record = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="credentials")
    grade = models.CharField(_("资格/职称"), max_length=30, choices=Grade.choices)
    certificate_no = models.CharField(_("证书编号"), max_length=60, blank=True)
    authority = models.CharField(_("发证/评审机关"), max_length=100)
    awarded_on = models.DateField(_("取得日期"))
    basis = models.CharField(_("取得依据"), max_length=300, blank=True)
    document_number = models.CharField(_("文件字号"), max_length=60, blank=True)
    # set when the credential was granted through a dual-track application
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="granted_credential",
    )

    class Meta:
        ordering = ["awarded_on", "id"]
        verbose_name = _("资格/职称")
        verbose_name_plural = _("资格/职称")
        constraints = [
            models.UniqueConstraint(fields=["record", "grade"], name="credential_once_per_grade")
        ]

    def __str__(self):
        return self.get_grade_display()

    @property
    def track(self) -> str:
        return GRADE_TRACK[Grade(self.grade)]


class Route(models.TextChoices):
    """The four ways across, as on the mapping table (rules.ROUTES)."""

    TECHNICIAN_TO_LECTURER = "technician_to_lecturer", _("技师 → 讲师（中级）")
    SENIOR_TECHNICIAN_TO_SENIOR_LECTURER = (
        "senior_technician_to_senior_lecturer",
        _("高级技师 → 高级讲师（副高级）"),
    )
    LECTURER_TO_TECHNICIAN = "lecturer_to_technician", _("讲师 → 技师")
    SENIOR_LECTURER_TO_SENIOR_TECHNICIAN = (
        "senior_lecturer_to_senior_technician",
        _("高级讲师 → 高级技师"),
    )


class PromotionDetail(models.Model):
    """The dual-track promotion form of one application."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="promotion"
    )
    route = models.CharField(
        _("申报方向"),
        max_length=40,
        choices=Route.choices,
        help_text=_("按对应关系表选择：所持资格（职称）须已记入本人档案。"),
    )
    # technician qualification → teacher title
    teaching_years = models.PositiveSmallIntegerField(
        _("在校任教年限"), null=True, blank=True, help_text=_("申报教师职称时填写，按整年计。")
    )
    annual_hours = models.PositiveSmallIntegerField(
        _("年均教学工作量（课时）"),
        null=True,
        blank=True,
        help_text=_("申报教师职称时填写：近三学年年均授课课时。"),
    )
    courses = models.CharField(
        _("主讲课程"), max_length=200, blank=True, help_text=_("申报教师职称时填写。")
    )
    # teacher title → technician qualification
    occupation = models.CharField(
        _("申报职业（工种）"),
        max_length=100,
        blank=True,
        help_text=_("申报技师资格时填写，例如：数控车工、汽车维修工。"),
    )
    practice_years = models.PositiveSmallIntegerField(
        _("本职业实践年限"),
        null=True,
        blank=True,
        help_text=_("申报技师资格时填写：在企业或实训基地从事本职业（工种）实践的累计年限。"),
    )
    practical_work = models.TextField(
        _("实践工作内容"),
        max_length=2000,
        blank=True,
        help_text=_("申报技师资格时填写：实践岗位、承担的生产或技术攻关任务、成果。"),
    )
    achievements = models.TextField(
        _("主要业绩"),
        max_length=3000,
        help_text=_("教学、技能竞赛指导、技术服务、获奖等情况。"),
    )

    class Meta:
        verbose_name = _("双线晋升申请内容")
        verbose_name_plural = _("双线晋升申请内容")

    def __str__(self):
        return self.get_route_display()


class PanelState(models.TextChoices):
    FORMED = "formed", _("已组建评审委员会")
    SITTING = "sitting", _("评审会议进行中")
    TALLIED = "tallied", _("已计票")


class Panel(models.Model):
    """The review committee (评审委员会) of one application and its one session."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="panels")
    organiser = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    formed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    formed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=PanelState.choices, default=PanelState.FORMED)
    session_opened_at = models.DateTimeField(null=True, blank=True)
    # the tally: counts only, written when every attending member has voted or the
    # organiser closed the vote
    attending = models.PositiveSmallIntegerField(null=True, blank=True)
    yes = models.PositiveSmallIntegerField(null=True, blank=True)
    no = models.PositiveSmallIntegerField(null=True, blank=True)
    abstain = models.PositiveSmallIntegerField(null=True, blank=True)
    # attending members who had not voted when the organiser closed the vote (not a yes)
    not_voted = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(null=True, blank=True)
    tallied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("评审委员会")
        verbose_name_plural = _("评审委员会")

    def __str__(self):
        return f"{self.application}: {self.get_state_display()}"


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    attending = models.BooleanField(null=True, blank=True)  # None until the session opens
    has_voted = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="panel_member_once")
        ]

    def __str__(self):
        return str(self.expert)


class VoteChoice(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("不同意")
    ABSTAIN = "abstain", _("弃权")


class Ballot(models.Model):
    """One secret vote: no voter, no time, a random key (its order says nothing either)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="ballots")
    choice = models.CharField(max_length=10, choices=VoteChoice.choices)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.get_choice_display()


class PromotionProcess(Process):
    class Meta:
        proxy = True
        verbose_name = _("双线晋升流程")
        verbose_name_plural = _("双线晋升流程")
