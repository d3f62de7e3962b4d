"""What a procedure tells the kernel: who applies, its detail model, its ordered steps, its rules.

A procedure (dual plaque, pilot selection, subsidies, promotion) is its own Django
app. It subclasses ``Procedure`` and registers an instance from its
``AppConfig.ready()``. The kernel's services, views, inbox and pages drive any
registered procedure through its steps (``approvals.common.steps``): they ask the
current step's handler who may act, what form it takes and what it does.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from workflows.models import Unit

from .applicants import Applicant
from .steps import Step


class Procedure:
    code: str = ""
    title: str = ""
    # the annex row (重点任务) this procedure serves; its results show on that task's page
    annex_task: int | None = None
    applicant: Applicant = None  # who applies: applicants.SCHOOL / UNITS(...) / PERSON
    flow_class = None  # built from ``steps`` (flows.approval_flow) or written by hand
    detail_model = None  # the procedure's fields, one-to-one with the application
    form_class = None  # a forms.DraftForm, usually forms.draft_form_for(detail_model, …)
    steps: tuple[Step, ...] = ()  # in order; the first is the step after submission
    publicity_working_days: int = 5
    # step name → time limit in working days, over the steps' own defaults
    step_limits: dict[str, int] = {}
    intro_template: str = ""  # shown above the form: the rule and the steps
    # audit actions whose timeline label this procedure words its own way
    action_labels: dict[str, str] = {}

    # --- derived ---------------------------------------------------------------------
    def step(self, name: str) -> Step | None:
        return self._steps_by_name.get(name)

    @property
    def _steps_by_name(self) -> dict[str, Step]:
        return {s.name: s for s in self.steps}

    @property
    def first_step(self) -> str:
        return self.steps[0].name

    def main_steps(self) -> list[Step]:
        """The steps shown as the progress bar (an amendment is a detour, not a stage)."""
        return [s for s in self.steps if s.in_progress]

    # --- hooks a procedure implements ---------------------------------------------------
    def title_for(self, application, cleaned: dict) -> str:
        """The application's title, e.g. 某校申请加挂“…”牌子."""
        return _("%(who)s%(procedure)s") % {
            "who": self.applicant.name_of(application),
            "procedure": self.title,
        }

    def detail_link(self):
        """The detail model's one-to-one field to the application (None: no detail model)."""
        if self.detail_model is None:
            return None
        for field in self.detail_model._meta.fields:
            if field.one_to_one and field.related_model._meta.label == "approvals.Application":
                return field
        return None

    def detail_accessor(self) -> str | None:
        """The application's attribute of the detail (its one-to-one's related name)."""
        link = self.detail_link()
        if link is None or link.remote_field.hidden:
            return None
        return link.remote_field.get_accessor_name()

    def detail_of(self, application):
        """The detail row, read once per application object (the services read it with the
        application, under the lock)."""
        if self.detail_model is None or application.pk is None:
            return None
        accessor = self.detail_accessor()
        if accessor is None:  # a detail without a reverse accessor (related_name="+")
            return self.detail_model.objects.filter(application=application).first()
        try:
            return getattr(application, accessor)
        except self.detail_model.DoesNotExist:
            return None

    def save_detail(self, application, cleaned: dict) -> None:
        """Write the validated form into the procedure's own model (its fields by name)."""
        names = [f.name for f in self.detail_model._meta.concrete_fields]
        fields = {k: v for k, v in cleaned.items() if k in names}
        detail, _created = self.detail_model.objects.update_or_create(
            application=application, defaults=fields
        )
        if accessor := self.detail_accessor():
            setattr(application, accessor, detail)

    def initial(self, application) -> dict:
        """The form's values for an application (the draft as typed wins)."""
        return dict(application.draft_data or {})

    def snapshot(self, application) -> dict[str, str]:
        """Label → value of everything a reviewer judges (used for diffs after a return).

        Stored in reviews and audit rows, so labels and values are always Chinese; pages
        show it through ``selectors.detail_rows``, which translates the labels.
        """
        with translation.override("zh-hans"):
            rows: dict[str, str] = {}
            detail = self.detail_of(application)
            if detail is not None:
                for field in detail._meta.concrete_fields:
                    if field.name in ("id", "application"):
                        continue
                    value = getattr(detail, field.name)
                    if field.choices:
                        value = getattr(detail, f"get_{field.name}_display")()
                    rows[str(field.verbose_name)] = str(value)
            rows[_("附件")] = "\n".join(
                f"{a.original_name}（{a.sha256[:8]}）" for a in application.attachments.all()
            )
            return rows

    def check_eligibility(self, application) -> None:
        """Raise RuleViolation, citing the annex row, when the application may not be submitted."""
        return None

    def open_key(self, application) -> str | None:
        """A key unique among open applications (e.g. one per school and plaque)."""
        return None

    def open_key_message(self, application) -> tuple[str, str]:
        """(message, field) when another open application holds the same key."""
        return (
            _(
                "已有一件同类申请正在办理中，办结前不能重复报送（每个申请人每类事项只能有一件在办申请）。"
            ),
            "",
        )

    def competent_unit(self, application) -> Unit:
        """The unit that decides (handles the objections of its public notice)."""
        raise NotImplementedError

    def notice_text(self, application, step) -> tuple[str, str]:
        """(title, body) of the public notice opened by ``step``."""
        raise NotImplementedError

    def on_issue(self, application, actor) -> None:
        """The decision takes effect (e.g. the school's plaque is recorded)."""
        return None

    def document(self, application):
        """The decision document as a ``docs_gen.values.DocumentValue`` (None: none)."""
        return None

    def badges(self, unit) -> list[str]:
        """What the unit holds thanks to this procedure, for its portal header."""
        return []

    # --- its panel on the annex task's page (tasks_registry) ------------------------------
    task_panel_template = "approvals/task_panel.html"

    def task_panel(self, user) -> dict | None:
        """This year's applications of the procedure, for the page of ``annex_task``."""
        from django.utils import timezone

        from .models import Application, ApplicationStatus

        year = timezone.localdate().year
        qs = Application.objects.filter(procedure=self.code, submitted_at__year=year)
        return {
            "procedure": self,
            "year": year,
            "submitted": qs.count(),
            "approved": qs.filter(status=ApplicationStatus.APPROVED).count(),
            "rejected": qs.filter(status=ApplicationStatus.REJECTED).count(),
        }


_PROCEDURES: dict[str, Procedure] = {}


def register(procedure: Procedure) -> Procedure:
    """Called from the procedure app's ``AppConfig.ready()``."""
    for step in procedure.steps:
        step.bind(procedure)
    _PROCEDURES[procedure.code] = procedure
    if procedure.annex_task:
        from tasks_registry.panels import register_task_panel

        register_task_panel(
            procedure.annex_task,
            key=f"approvals.{procedure.code}",
            template=procedure.task_panel_template,
            context=procedure.task_panel,
        )
    return procedure


def procedure_for(code_or_application) -> Procedure:
    code = getattr(code_or_application, "procedure", code_or_application)
    return _PROCEDURES[code]


def procedures() -> list[Procedure]:
    return list(_PROCEDURES.values())
