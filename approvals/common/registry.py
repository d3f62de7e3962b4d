"""What a procedure tells the kernel: its flow, its form, its steps and its rules.

A procedure (dual plaque, pilot selection, subsidies, promotion) subclasses
``Procedure`` and registers an instance. The kernel's services drive any
registered procedure: they find the pending flow task, look up its ``Step``,
check who may act, apply the decision, record it, and run the flow on.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from workflows.models import Unit


class StepKind(StrEnum):
    REVIEW = "review"  # one unit approves / returns / rejects
    COSIGN = "cosign"  # several units each approve / return / reject (会签)
    AMEND = "amend"  # the applicant edits and resubmits
    PUBLICITY = "publicity"  # public notice with objections
    ISSUE = "issue"  # the competent unit issues the decision document


@dataclass(frozen=True)
class Step:
    kind: StepKind
    label: str
    # the unit(s) that act on this step, from the application
    units: Callable[..., list[Unit]]
    roles: tuple[str, ...] | None = None  # None: any member of the unit


class Procedure(ABC):
    code: str = ""
    title: str = ""
    flow_class = None
    form_class = None
    # the step that follows the applicant's submission; withdrawal is allowed while
    # the application waits there and nobody has acted on it
    first_step: str = ""
    publicity_working_days: int = 5
    intro_template: str = ""  # shown above the form: the rule and the steps
    steps: dict[str, Step] = {}

    # --- hooks a procedure implements ---------------------------------------
    @abstractmethod
    def title_for(self, application, cleaned: dict) -> str:
        """The application's title, e.g. 某校申请加挂“…”牌子."""

    @abstractmethod
    def save_detail(self, application, cleaned: dict) -> None:
        """Write the validated form into the procedure's own model."""

    def initial(self, application) -> dict:
        """The form's values for an application (the draft as typed wins)."""
        return dict(application.draft_data or {})

    @abstractmethod
    def snapshot(self, application) -> dict[str, str]:
        """Label → value of everything a reviewer judges (used for diffs after a return).

        Stored in reviews and audit rows, so labels and values are always Chinese
        (build it under ``translation.override("zh-hans")``); pages show it through
        ``selectors.detail_rows``, which translates the labels into the UI language.
        """

    def check_eligibility(self, application) -> None:
        """Raise RuleViolation when the application may not be submitted."""
        return None  # optional hook: no extra rule by default

    def open_key(self, application) -> str | None:
        """A key unique among open applications (e.g. one per school and plaque)."""
        return None

    @abstractmethod
    def competent_unit(self, application) -> Unit:
        """The unit that decides (reviews first, runs the public notice, issues)."""

    @abstractmethod
    def notice_text(self, application) -> tuple[str, str]:
        """(title, body) of the public notice."""

    def on_issue(self, application, actor) -> None:
        """The decision takes effect (e.g. the school's plaque is recorded)."""
        return None  # optional hook

    def document_payload(self, application) -> dict | None:
        return None

    def school_badges(self, school) -> list[str]:
        """What the school holds thanks to this procedure, for its portal header."""
        return []


_PROCEDURES: dict[str, Procedure] = {}


def register(procedure: Procedure) -> Procedure:
    _PROCEDURES[procedure.code] = procedure
    return procedure


def procedure_for(code_or_application) -> Procedure:
    code = getattr(code_or_application, "procedure", code_or_application)
    return _PROCEDURES[code]


def procedures() -> list[Procedure]:
    return list(_PROCEDURES.values())
