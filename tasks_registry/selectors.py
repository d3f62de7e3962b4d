"""Reads of the key-task registry and of its supervision (lights, scores, inbox)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.access import is_member, is_supervisor, memberships_of, units_of, visible
from workflows.inbox import InboxRow
from workflows.models import Role, Unit, UnitKind

from .models import (
    Branch,
    BranchState,
    BranchTally,
    KeyTask,
    KeyTaskUnit,
    Supervision,
    SupervisionState,
    UnitRole,
    UnitTally,
)
from .status import AMBER, GREEN, RED, branch_light, cycle_of, end_of_day, local_today, task_light


def key_tasks_with_units():
    return KeyTask.objects.prefetch_related(
        Prefetch("unit_links", queryset=KeyTaskUnit.objects.select_related("unit"))
    )


def key_tasks_by_measure() -> list[tuple[tuple[int, str], list[KeyTask]]]:
    """[((measure_number, measure), [tasks…]), …] in annex order."""
    tasks = list(key_tasks_with_units())
    return [
        (key, list(group))
        for key, group in groupby(tasks, key=lambda t: (t.measure_number, t.measure))
    ]


def schools_by_type() -> dict[str, list[Unit]]:
    result: dict[str, list[Unit]] = {}
    for school in Unit.objects.schools():
        result.setdefault(school.school_type, []).append(school)
    return result


def assigned_units_bulk(tasks) -> dict[int, list[Unit]]:
    """assigned_units() for many tasks with one query for the schools."""
    by_type = schools_by_type()
    result = {}
    for task in tasks:
        bureaus = [link.unit for link in task.bureau_links()]
        schools = [s for t in task.implementing_school_types() for s in by_type.get(t, [])]
        result[task.pk] = bureaus + schools
    return result


# --- supervision reads -------------------------------------------------------------


@dataclass(slots=True)
class BranchStatus:
    """One branch's figures and its light, computed now."""

    pk: int
    supervision_id: int
    unit_id: int
    state: str
    due: date
    percent: int
    light: str
    days_left: int
    overdue: bool = False
    cycles_due: int = 0
    cycles_on_time: int = 0
    return_count: int = 0
    done_late: bool = False


@dataclass
class TaskStatus:
    task: KeyTask
    supervision: Supervision | None
    light: str = ""
    progress: int = 0
    branch_count: int = 0
    done_count: int = 0
    overdue_count: int = 0
    light_counts: dict = field(default_factory=lambda: {GREEN: 0, AMBER: 0, RED: 0})
    unit_branch: BranchStatus | None = None  # the filtered unit's own branch
    rows: list[BranchStatus] = field(default_factory=list, repr=False)

    @property
    def due(self):
        return self.supervision.deadline if self.supervision else None


_BRANCH_FIELDS = (
    "pk",
    "supervision_id",
    "unit_id",
    "state",
    "due",
    "percent",
    "done_at",
    "cycles_reported",
    "last_report_cycle",
    "return_count",
)


def branch_statuses(
    *, queryset=None, today: date | None = None, supervisions: dict | None = None
) -> list[BranchStatus]:
    """Every branch's light and scoring figures from one query, however many there are
    (plus one for the supervisions' start dates unless ``supervisions`` {pk: obj} is given).

    Hot path of the dashboard (3 400 branches at province scale): plain tuples, no
    model instances, no per-row timezone lookups.
    """
    today = today or local_today()
    qs = queryset if queryset is not None else Branch.objects.all()
    if supervisions is None:
        supervisions = {
            pk: (start, months)
            for pk, start, months in Supervision.objects.values_list(
                "pk", "start_date", "cycle_months"
            )
        }
    else:
        supervisions = {pk: (s.start_date, s.cycle_months) for pk, s in supervisions.items()}
    tz = timezone.get_current_timezone()
    done_state = BranchState.DONE.value
    result = []
    append = result.append
    for (
        pk,
        sup_id,
        unit_id,
        state,
        due,
        percent,
        done_at,
        cycles_reported,
        last_cycle,
        returns,
    ) in qs.values_list(*_BRANCH_FIELDS).iterator(4000):
        start, cycle_months = supervisions[sup_id]
        done = state == done_state
        done_day = done_at.astimezone(tz).date() if done and done_at else None
        current = cycle_of(start, done_day or today, cycle_months)
        due_cycles = current - 1 + (1 if done or last_cycle == current else 0)
        days_left = (due - today).days
        append(
            BranchStatus(
                pk,
                sup_id,
                unit_id,
                state,
                due,
                percent,
                branch_light(done=done, start=start, due=due, percent=percent, today=today),
                days_left,
                not done and days_left < 0,
                due_cycles,
                min(cycles_reported, due_cycles),
                returns,
                bool(done_day and done_day > due),
            )
        )
    return result


def branch_light_of(branch: Branch, today: date | None = None) -> str:
    today = today or local_today()
    sup = branch.supervision
    return branch_light(
        done=branch.state == BranchState.DONE,
        start=sup.start_date,
        due=branch.due,
        percent=branch.percent,
        today=today,
    )


def _task_status(task, sup, rows: list[BranchStatus], today: date) -> TaskStatus:
    status = TaskStatus(task=task, supervision=sup, rows=rows)
    if sup is None:
        return status
    status.branch_count = len(rows)
    for row in rows:
        status.light_counts[row.light] += 1
        status.done_count += row.state == BranchState.DONE
        status.overdue_count += row.overdue
    status.progress = round(sum(r.percent for r in rows) / len(rows)) if rows else 0
    status.light = task_light(
        branch_lights=[r.light for r in rows if r.state != BranchState.DONE],
        closed=sup.state == SupervisionState.CLOSED,
        all_done=status.done_count == len(rows),
        deadline=sup.deadline,
        today=today,
    )
    if sup.state == SupervisionState.CLOSED:
        status.progress = 100
    return status


def supervision_overview(
    *, today: date | None = None, statuses: list[BranchStatus] | None = None
) -> list[TaskStatus]:
    """The 17 tasks with their lights and figures: a fixed number of queries (3)."""
    today = today or local_today()
    tasks = list(key_tasks_with_units().select_related("supervision"))
    if statuses is None:
        sups = {t.supervision.pk: t.supervision for t in tasks if hasattr(t, "supervision")}
        statuses = branch_statuses(today=today, supervisions=sups)
    by_sup: dict[int, list[BranchStatus]] = {}
    for row in statuses:
        by_sup.setdefault(row.supervision_id, []).append(row)
    result = []
    for task in tasks:
        sup = getattr(task, "supervision", None)
        result.append(_task_status(task, sup, by_sup.get(sup.pk, []) if sup else [], today))
    return result


def task_status(task: KeyTask, today: date | None = None) -> TaskStatus:
    today = today or local_today()
    sup = Supervision.objects.filter(task=task).first()
    rows = (
        branch_statuses(
            queryset=Branch.objects.filter(supervision=sup), today=today, supervisions={sup.pk: sup}
        )
        if sup
        else []
    )
    return _task_status(task, sup, rows, today)


@dataclass
class UnitScore:
    unit: Unit
    branches: int = 0
    done: int = 0
    overdue: int = 0
    done_late: int = 0
    cycles_due: int = 0
    cycles_on_time: int = 0
    returns: int = 0

    @property
    def missed(self) -> int:
        return self.cycles_due - self.cycles_on_time

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.cycles_due:
            return None
        return (Decimal(self.cycles_on_time * 100) / Decimal(self.cycles_due)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def score(self) -> int:
        """考核得分: 100 − 10 per overdue or late-done step − 5 per return − 2 per missed report."""
        penalty = 10 * (self.overdue + self.done_late) + 5 * self.returns + 2 * self.missed
        return max(100 - penalty, 0)


def unit_scores(
    *,
    today: date | None = None,
    statuses: list[BranchStatus] | None = None,
    units: list[Unit] | None = None,
) -> list[UnitScore]:
    """Every unit with branches, ranked: best score first, then on-time rate, then name order."""
    statuses = statuses if statuses is not None else branch_statuses(today=today)
    if units is None:
        units = list(Unit.objects.filter(pk__in={s.unit_id for s in statuses}))
    units = {u.pk: u for u in units}
    scores: dict[int, UnitScore] = {}
    for s in statuses:
        score = scores.setdefault(s.unit_id, UnitScore(unit=units[s.unit_id]))
        score.branches += 1
        score.done += s.state == BranchState.DONE
        score.overdue += s.overdue
        score.done_late += s.done_late
        score.cycles_due += s.cycles_due
        score.cycles_on_time += s.cycles_on_time
        score.returns += s.return_count
    return sorted(
        scores.values(),
        key=lambda x: (
            -x.score,
            -(x.on_time_rate if x.on_time_rate is not None else Decimal(100)),
            x.unit.sort_order,
            x.unit.pk,
        ),
    )


def supervision_timeline(supervision: Supervision, user, limit: int = 50):
    """The task's timeline as the user may see it: supervisors and the lead bureau see all;
    another unit sees the task-level steps and its own branch's."""
    qs = supervision.events.select_related("branch__unit")
    if not is_supervisor(user) and not is_member(user, supervision.task.lead_unit):
        qs = qs.filter(Q(branch__isnull=True) | Q(branch__unit__in=units_of(user)))
    return list(qs.order_by("-created_at", "-id")[:limit])


def visible_branches(user, supervision: Supervision):
    return visible(user, supervision.branches.select_related("unit", "assignee")).order_by(
        "position"
    )


_SEVERITY = {RED: 0, AMBER: 1, GREEN: 2}


def branch_page_rows(user, status: TaskStatus, *, light: str = "") -> list[BranchStatus]:
    """The branches of a task the user may see, worst first (overdue, near or lagging,
    on track, done), optionally one light only ("done" for the completed ones)."""
    sup = status.supervision
    rows = status.rows
    if not (is_supervisor(user) or is_member(user, sup.task.lead_unit)):
        ids = set(visible(user, sup.branches.all()).values_list("pk", flat=True))
        rows = [r for r in rows if r.pk in ids]
    if light == "done":
        rows = [r for r in rows if r.state == BranchState.DONE]
    elif light in _SEVERITY:
        rows = [r for r in rows if r.light == light and r.state != BranchState.DONE]
    return sorted(rows, key=lambda r: (r.state == BranchState.DONE, _SEVERITY[r.light], r.pk))


def branches_for_rows(rows: list[BranchStatus]) -> list[Branch]:
    """Branch objects (unit, assignee) for one page of rows, in the rows' order, with
    ``light`` and ``days_left`` set from the rows."""
    by_pk = {
        b.pk: b
        for b in Branch.objects.filter(pk__in=[r.pk for r in rows]).select_related(
            "unit", "assignee"
        )
    }
    result = []
    for r in rows:
        b = by_pk[r.pk]
        b.light, b.days_left = r.light, r.days_left
        result.append(b)
    return result


# --- the unified inbox ----------------------------------------------------------------


def supervision_inbox(user) -> list[InboxRow]:
    """The units' pending supervision steps (registered in the kernel's inbox)."""
    from django.urls import reverse

    if not user.is_authenticated:
        return []
    memberships = memberships_of(user)
    acting = [m for m in memberships if not m.unit.is_supervisor]
    rows: list[InboxRow] = []
    today = local_today()
    if acting:
        roles = {m.unit_id: m.role for m in acting}
        branches = (
            Branch.objects.filter(
                unit__in=[m.unit for m in acting], supervision__state=SupervisionState.BRANCHES
            )
            .exclude(state=BranchState.DONE)
            .select_related("supervision__task", "unit", "assignee")
            .order_by("due", "pk")
        )
        for b in branches:
            if b.assignee_id and b.assignee_id != user.pk and roles.get(b.unit_id) == Role.HANDLER:
                continue
            if b.state == BranchState.NEW:
                title, status = _("签收督办任务"), _("待签收")
            elif b.return_count:
                title, status = _("按退回意见整改"), _("被退回")
            else:
                title, status = _("报送进度/申报完成"), _("办理中 %(p)s%%") % {"p": b.percent}
            rows.append(
                InboxRow(
                    title=_("%(what)s：重点任务%(n)s")
                    % {"what": title, "n": b.supervision.task.number},
                    subject=b.supervision.task.short_title,
                    url=reverse("tasks:branch", args=[b.public_id]),
                    unit=b.unit.name,
                    since=b.supervision.dispatched_at,
                    due=end_of_day(b.due),
                    status=status,
                    light=branch_light(
                        done=False,
                        start=b.supervision.start_date,
                        due=b.due,
                        percent=b.percent,
                        today=today,
                    ),
                )
            )
        bureaus = [m.unit for m in acting if m.unit.kind == UnitKind.BUREAU]
        if bureaus:
            led = list(
                Supervision.objects.filter(
                    state=SupervisionState.CONSOLIDATING,
                    task__unit_links__unit__in=bureaus,
                    task__unit_links__role=UnitRole.LEAD,
                ).select_related("task")
            )
            names = {u.pk: u.name for u in bureaus}
            leads = dict(
                KeyTaskUnit.objects.filter(
                    task__in=[sup.task_id for sup in led], role=UnitRole.LEAD
                ).values_list("task_id", "unit_id")
            )
            for sup in led:
                rows.append(
                    InboxRow(
                        title=_("汇总完成情况：重点任务%(n)s") % {"n": sup.task.number},
                        subject=sup.task.short_title,
                        url=reverse("tasks:detail", args=[sup.task.number]),
                        unit=names.get(leads.get(sup.task_id), ""),
                        since=sup.dispatched_at,
                        due=end_of_day(sup.deadline),
                        status=_("待汇总"),
                    )
                )
    offices = [m.unit for m in memberships if m.unit.kind == UnitKind.OFFICE]
    if offices:
        office_name = offices[0].name
        for sup in Supervision.objects.filter(state=SupervisionState.REVIEWING).select_related(
            "task"
        ):
            rows.append(
                InboxRow(
                    title=_("办结审核：重点任务%(n)s") % {"n": sup.task.number},
                    subject=sup.task.short_title,
                    url=reverse("tasks:detail", args=[sup.task.number]),
                    unit=office_name,
                    since=sup.consolidated_at,
                    due=end_of_day(sup.deadline),
                    status=_("待审核"),
                )
            )
    return rows


def stored_report_files():
    """The files of progress reports, with their SHA-256 (empty on rows from before the
    attachment check) (settings.FILE_SOURCES: move_files, backup)."""
    from workflows.storage import FileRef

    from .models import ReportAttachment

    rows = ReportAttachment.objects.order_by("pk").values_list("file", "sha256")
    for name, digest in rows:
        yield FileRef(name, digest, "tasks_registry.ReportAttachment")


# --- the dashboard: figures aggregated in the database ------------------------------------


@dataclass
class DashboardFigures:
    """What the leading group's dashboard shows, from a fixed number of grouped queries:
    the cost does not grow with the number of schools (DESIGN.md §4.1.5 for the lights)."""

    overview: list[TaskStatus]
    branch_counts: dict  # open branches by light
    branches: int = 0
    done: int = 0


def dashboard_figures(today: date | None = None) -> DashboardFigures:
    """The 17 tasks with their lights, counts and progress, and the branch totals, from the
    branches counted by (supervision, state, due date, percent) (``BranchTally``, kept by
    triggers): a group has one light, computed by ``branch_light`` as for a single branch,
    and counts ``n`` times. Reads a few hundred rows however many schools."""
    today = today or local_today()
    tasks = list(key_tasks_with_units().select_related("supervision"))
    sups = {t.supervision.pk: t.supervision for t in tasks if hasattr(t, "supervision")}
    groups = (
        BranchTally.objects.filter(n__gt=0)
        .order_by()
        .values_list("supervision_id", "state", "due", "percent", "n")
    )
    done_state = BranchState.DONE.value
    by_sup: dict[int, list] = {}
    for sup_id, state, due, percent, n in groups:
        done = state == done_state
        light = branch_light(
            done=done, start=sups[sup_id].start_date, due=due, percent=percent, today=today
        )
        by_sup.setdefault(sup_id, []).append((done, due, percent, light, n))
    figures = DashboardFigures(overview=[], branch_counts={GREEN: 0, AMBER: 0, RED: 0})
    for task in tasks:
        sup = getattr(task, "supervision", None)
        status = TaskStatus(task=task, supervision=sup)
        figures.overview.append(status)
        if sup is None:
            continue
        rows = by_sup.get(sup.pk, [])
        total = percent_sum = 0
        for done, due, percent, light, n in rows:
            total += n
            percent_sum += percent * n
            status.light_counts[light] += n
            status.done_count += n if done else 0
            status.overdue_count += n if not done and due < today else 0
            if not done:
                figures.branch_counts[light] += n
        status.branch_count = total
        status.progress = round(percent_sum / total) if total else 0
        status.light = task_light(
            branch_lights=[light for done, _d, _p, light, _n in rows if not done],
            closed=sup.state == SupervisionState.CLOSED,
            all_done=status.done_count == total,
            deadline=sup.deadline,
            today=today,
        )
        if sup.state == SupervisionState.CLOSED:
            status.progress = 100
        figures.branches += total
        figures.done += status.done_count
    return figures


@dataclass
class UnitRate:
    unit_id: int
    name: str
    cycles_due: int
    cycles_on_time: int

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.cycles_due:
            return None
        return (Decimal(self.cycles_on_time * 100) / Decimal(self.cycles_due)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def _cycles_expressions(today: date, supervisions=None):
    """SQL for a branch's reporting cycles due and reported on time, as ``branch_statuses``
    counts them (``status.cycle_of``: calendar months from the dispatch month). With
    ``supervisions`` [(pk, start_date, cycle_months)], each one's current cycle is a
    constant of the query (a CASE on the supervision) instead of date arithmetic per row."""
    from django.db.models import Case, F, IntegerField, Value, When
    from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Greatest, Least

    tz = timezone.get_current_timezone()
    start_year = ExtractYear("supervision__start_date")
    start_month = ExtractMonth("supervision__start_date")
    length = Greatest(F("supervision__cycle_months"), Value(1))

    def cycle(months):
        # integer division, as ``cycle_of``'s //: PostgreSQL's EXTRACT is numeric (14+),
        # so without the casts 5 months / 2 would be 2.5, not 2
        whole = Cast(Greatest(months, Value(0)), IntegerField())
        return whole / Cast(length, IntegerField()) + Value(1)

    if supervisions:
        current = Case(
            *[
                When(supervision_id=pk, then=Value(cycle_of(start, today, months)))
                for pk, start, months in supervisions
            ],
            default=Value(1),
            output_field=IntegerField(),
        )
    else:
        current = cycle(
            (Value(today.year) - start_year) * Value(12) + (Value(today.month) - start_month)
        )
    done_cycle = cycle(
        (ExtractYear("done_at", tzinfo=tz) - start_year) * Value(12)
        + (ExtractMonth("done_at", tzinfo=tz) - start_month)
    )
    done = BranchState.DONE.value
    due = Case(
        When(state=done, done_at__isnull=False, then=done_cycle),
        When(state=done, then=current),
        When(last_report_cycle=current, then=current),
        default=current - Value(1),
        output_field=IntegerField(),
    )
    return due, Least(F("cycles_reported"), due)


_STALE_SQL: dict = {}  # (alias, vendor, month) → compiled SQL and params


def _stale_units(alias: str, month: date) -> list[int]:
    """The units whose row is stale or of another month: one small query on the units'
    rows (compiled once a month), that reads no branch."""
    from django.db import connections

    key = (alias, connections[alias].vendor, month)
    compiled = _STALE_SQL.get(key)
    if compiled is None:
        qs = UnitTally.objects.filter(
            Q(month__isnull=True) | Q(month__lt=month) | Q(month__gt=month)
        ).values_list("unit_id")
        compiled = _STALE_SQL[key] = qs.query.get_compiler(alias).as_sql()
        if len(_STALE_SQL) > 16:
            _STALE_SQL.pop(next(iter(_STALE_SQL)))
    sql, params = compiled
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def refresh_unit_tallies(today: date | None = None) -> int:
    """Recompute the units' on-time figures that are stale (a branch changed) or of another
    month than ``today``'s, from their branches, with the same rule as ``branch_statuses``
    (``_cycles_expressions``); each row is written back only if its ``version`` is still
    the one read with the figures — a branch write committed meanwhile leaves it stale
    for the next reader instead of being hidden. Returns the rows written. One query on
    the units' rows, no branch read, when nothing is stale."""
    from django.db import router, transaction
    from django.db.models import Case, IntegerField, Sum, Value, When

    today = today or local_today()
    month = today.replace(day=1)
    alias = router.db_for_write(UnitTally)
    units = _stale_units(alias, month)
    if not units:
        return 0
    due, on_time = _cycles_expressions(today)
    branches = Branch.objects.using(alias)
    if len(units) <= 500:  # a few units after writes; on a new month, all: no list
        branches = branches.filter(unit_id__in=units)
    rows = list(
        branches.filter(
            Q(unit__supervision_tally__month__isnull=True)
            | Q(unit__supervision_tally__month__lt=month)
            | Q(unit__supervision_tally__month__gt=month)
        )
        .order_by()
        .values_list("unit_id", "unit__supervision_tally__version")
        .annotate(due=Sum(due), ok=Sum(on_time))
    )
    written = 0
    for start in range(0, len(rows), 200):  # SQLite's expression depth
        chunk = rows[start : start + 200]
        match = Q()
        for unit_id, version, _due, _ok in chunk:
            match |= Q(unit_id=unit_id, version=version)
        with transaction.atomic(using=alias):
            # the rows a writer holds are skipped, not waited for: a writer marks them
            # stale anyway (the next reader recounts them), and a reader that never waits
            # can never be one half of a deadlock with a writer locking several units
            free = list(
                UnitTally.objects.using(alias)
                .select_for_update(skip_locked=True)
                .filter(match)
                .order_by("unit_id")
                .values_list("unit_id", flat=True)
            )
            if not free:
                continue
            written += (
                UnitTally.objects.using(alias)
                .filter(match, unit_id__in=free)
                .update(
                    month=month,
                    cycles_due=Case(
                        *[When(unit_id=u, then=Value(d or 0)) for u, _v, d, _o in chunk],
                        output_field=IntegerField(),
                    ),
                    cycles_on_time=Case(
                        *[When(unit_id=u, then=Value(o or 0)) for u, _v, _d, o in chunk],
                        output_field=IntegerField(),
                    ),
                )
            )
    return written


_RATES_SQL: dict = {}  # (alias, vendor, kind, lowest) → compiled SQL and params


def on_time_rates(
    *, kind: str, today: date | None = None, lowest: int | None = None, refresh: bool = True
):
    """Per-unit on-time reporting rates of units of ``kind``: one row per unit from
    ``UnitTally`` after ``refresh_unit_tallies`` (one query when nothing changed), never the
    branches themselves; ``lowest``: only the ``lowest`` rates, lowest first (the units
    with no cycle due yet left out), else every unit in their order. The read does not
    depend on the day: it is compiled once per process. ``refresh=False``: the caller has
    just refreshed (a second read in the same request)."""
    from django.db import connections, router
    from django.db.models import F, Value

    if refresh:
        refresh_unit_tallies(today)
    alias = router.db_for_read(UnitTally)
    key = (alias, connections[alias].vendor, kind, lowest)
    compiled = _RATES_SQL.get(key)
    if compiled is None:
        qs = UnitTally.objects.filter(unit__kind=kind).values_list(
            "unit_id", "unit__name", "cycles_due", "cycles_on_time"
        )
        if lowest is not None:
            qs = (
                qs.filter(cycles_due__gt=0)
                # the rate in tenths of a percent, rounded half up as ``UnitRate.on_time_rate``
                .annotate(
                    rate=(F("cycles_on_time") * Value(2000) + F("cycles_due"))
                    / (F("cycles_due") * Value(2))
                )
                .order_by("rate", "unit__sort_order", "unit_id")[:lowest]
            )
        else:
            qs = qs.order_by("unit__sort_order", "unit_id")
        compiled = _RATES_SQL[key] = qs.query.get_compiler(alias).as_sql()
    sql, params = compiled
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [UnitRate(r[0], r[1], r[2] or 0, r[3] or 0) for r in rows]
