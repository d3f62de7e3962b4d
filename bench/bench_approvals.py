"""The approval step against bare django-viewflow 2.4, in the same run on the same database.

Drives N dual-plaque applications (submit, then the three decisions: competent
bureau's review, the other bureau's joint sign-off, the leading group's approval)
and, alternating with them one for one, N processes of ``bench/bareflow`` (a
minimal bare viewflow flow of the same shape: a start view and three reviewed
view tasks) —

* through the pages: Django's test ``Client`` posting the real forms (DEBUG off,
  the full middleware stack), p50 / p95 per step;
* through the services: ``services.application_submit`` / ``application_decide``
  against viewflow's own activation API, processes per second.

Statements are counted at the connection (``connection.execute_wrapper``): every
statement the request sends, SAVEPOINT / RELEASE and SET included; BEGIN and
COMMIT are sent by the driver and come on top for both sides alike. Peak RSS is
the process's high-water mark after each part.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhiji_speed \\
        .venv/bin/python bench/bench_approvals.py            # 40 + 40 applications
    BENCH_APPS=100 ... bench/bench_approvals.py              # more

The database is a throw-away one, ``<DATABASE name>_bench``, created and dropped
by the run. Notifications go to the configured Celery broker (the embedded
file broker by default, or ``CELERY_BROKER_URL``), as in production: a push, no
worker.
"""

import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
os.environ.setdefault("APP_VAR_DIR", tempfile.mkdtemp(prefix="zhiji-bench-"))
# DEBUG off, as in production (the test Client speaks plain HTTP: no SSL redirect)
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("DOCS_PUBLIC_BASE_URL", "https://zhiji.example.gov.cn")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
extra = [a for a in os.environ.get("APP_EXTRA_APPS", "").split(",") if a]
os.environ["APP_EXTRA_APPS"] = ",".join([*extra, "bench.bareflow"])

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

N = int(os.environ.get("BENCH_APPS", 40))
WARMUP = 3


# --- counting statements at the connection ------------------------------------------------


class Counter:
    """Every statement sent through Django's connection, by kind."""

    def __init__(self):
        self.total = self.savepoints = self.sets = 0
        self.sql = []

    def __call__(self, execute, sql, params, many, context):
        self.total += 1
        head = sql.lstrip()[:20].upper()
        if "SAVEPOINT" in head:
            self.savepoints += 1
        elif head.startswith("SET "):
            self.sets += 1
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql.append((time.perf_counter() - t0, sql))


class Stats:
    def __init__(self):
        self.times = defaultdict(list)  # step → ms
        self.cpu = defaultdict(list)  # step → ms of this process's CPU (client and server)
        self.statements = defaultdict(list)  # step → (total, savepoints, sets)
        self.last = {}  # step → [(seconds, sql)] of its last run

    def run(self, step, fn, record=True):
        counter = Counter()
        with connection.execute_wrapper(counter):
            t0, c0 = time.perf_counter(), time.process_time()
            result = fn()
            elapsed = (time.perf_counter() - t0) * 1000
            cpu = (time.process_time() - c0) * 1000
        self.last[step] = counter.sql
        if record:
            self.times[step].append(elapsed)
            self.cpu[step].append(cpu)
            self.statements[step].append((counter.total, counter.savepoints, counter.sets))
        return result


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p * len(values))) - 1))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the world ---------------------------------------------------------------------------


def seed():
    from approvals.common import services
    from tests.attachment_samples import good_pdf
    from tests.factories import member
    from workflows.demo import DEMO_SCHOOLS
    from workflows.models import Role, Unit, UnitKind
    from workflows.units import ensure_plan_units

    units = {u.code: u for u in ensure_plan_units()}
    people = {
        "hrss": member(units["hrss"], Role.HANDLER),
        "edu": member(units["edu"], Role.HANDLER),
        "leader": member(units["leading-group"], Role.LEADER),
    }
    from bench.bareflow.flows import REVIEWERS, SUBMITTER
    from tests.factories import UserFactory

    for name in (SUBMITTER, *REVIEWERS):
        people[name] = UserFactory(username=name)

    school_type = DEMO_SCHOOLS[0][2]  # a secondary vocational school: technician-college plaque
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = good_pdf()
    drafts = []
    for i in range(2 * (N + WARMUP)):
        school = Unit.objects.create(
            code=f"bs{i:04d}",
            name=f"台州市测试第{i + 1}中等职业学校",
            full_name=f"台州市测试第{i + 1}中等职业学校",
            kind=UnitKind.SCHOOL,
            school_type=school_type,
            sort_order=1000 + i,
        )
        handler = member(school, Role.HANDLER)
        head = member(school, Role.HEAD)
        app = services.application_create(
            procedure_code="dual_plaque", school=school, actor=handler
        )
        form = services.application_save(
            application=app,
            actor=handler,
            data={
                "plaque_kind": "technician_college",
                "plaque_name": f"台州市测试第{i + 1}技师学院",
                "reason": "学校现有数控、汽修、电气三个骨干专业，技能人才培养基础扎实，申请加挂技师学院牌子。",
                "conditions": "校园占地 200 亩，实训工位 1500 个，双师型教师占比 65%，具备开展预备技师培养的条件。",
                "students": "3200",
                "teachers": "210",
                "contact_name": "王晓明",
                "contact_phone": "0576-88881234",
            },
            uploads=[SimpleUploadedFile("申请报告.pdf", pdf, content_type="application/pdf")],
        )
        assert form.is_valid(), form.errors
        app.refresh_from_db()
        drafts.append((app, head))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return people, drafts


DECISIONS = (("competent_review", "hrss"), ("cosign", "edu"), ("leading_approval", "leader"))
BARE_STEPS = ("review_1", "review_2", "review_3")


# --- through the pages ---------------------------------------------------------------------


class Pages:
    def __init__(self, people):
        self.clients = {}
        for key, user in people.items():
            client = Client()
            client.force_login(user)
            self.clients[key] = client

    def project(self, stats, app, head, record=True):
        from django.urls import reverse

        client = Client()
        client.force_login(head)
        url = reverse("applications:submit", args=[app.public_id])
        response = stats.run("submit", lambda: client.post(url, {"version": app.version}), record)
        assert response.status_code == 302, response.status_code
        for step, who in DECISIONS:
            app.refresh_from_db(fields=["version", "current_step"])
            assert app.current_step == step, (app.current_step, step)
            url = reverse("applications:decide", args=[app.public_id])
            data = {"decision": "approve", "opinion": "同意。", "version": app.version}
            c = self.clients[who]
            response = stats.run(
                "approve", lambda c=c, url=url, data=data: c.post(url, data), record
            )
            assert response.status_code == 302, (step, response.status_code)
        app.refresh_from_db(fields=["current_step"])
        assert app.current_step == "publicity", app.current_step

    def bare(self, stats, i, record=True):
        from viewflow.workflow.models import Task
        from viewflow.workflow.status import STATUS

        from bench.bareflow.flows import REVIEWERS, SUBMITTER, BareFlow
        from bench.bareflow.models import BareProcess

        client = self.clients[SUBMITTER]
        last = BareProcess.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = stats.run(
            "submit", lambda: client.post("/bare/start/", {"text": f"申请 {i}"}), record
        )
        assert response.status_code == 302, response.status_code
        process = BareProcess.objects.filter(pk__gt=last).get()
        for step, reviewer in zip(BARE_STEPS, REVIEWERS, strict=True):
            task = Task.objects.get(
                process=process, flow_task=getattr(BareFlow, step), status=STATUS.ASSIGNED
            )
            url = f"/bare/{process.pk}/{step}/{task.pk}/execute/"
            c = self.clients[reviewer]
            response = stats.run(
                "approve", lambda c=c, url=url: c.post(url, {"approved": "on"}), record
            )
            assert response.status_code == 302, (step, response.status_code)
        process.refresh_from_db()
        assert process.status == "DONE", process.status


# --- through the services ---------------------------------------------------------------


def project_services(stats, app, head, people, record=True):
    from approvals.common import services

    stats.run("submit", lambda: services.application_submit(application=app, actor=head), record)
    for step, who in DECISIONS:
        assert app.current_step == step, (app.current_step, step)
        stats.run(
            "approve",
            lambda who=who: services.application_decide(
                application=app,
                actor=people[who],
                decision="approve",
                opinion="同意。",
                version=app.version,
            ),
            record,
        )
    assert app.current_step == "publicity", app.current_step


class _Request:
    def __init__(self, user):
        self.user = user


def bare_services(stats, i, people, record=True):
    """What viewflow's own views do, without the HTTP: the start, then each task under the lock."""
    from django.db import transaction
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from bench.bareflow.flows import REVIEWERS, SUBMITTER, BareFlow

    def start():
        activation = BareFlow.start.activation_class.create(BareFlow.start, None, None)
        activation.start(_Request(people[SUBMITTER]))
        activation.process.text = f"申请 {i}"
        activation.execute()
        return activation.process

    process = stats.run("submit", start, record)
    for step, reviewer in zip(BARE_STEPS, REVIEWERS, strict=True):

        def review(step=step, reviewer=reviewer):
            with BareFlow.lock(process.pk), transaction.atomic():
                task = Task.objects.get(
                    process=process, flow_task=getattr(BareFlow, step), status=STATUS.ASSIGNED
                )
                activation = task.flow_task.activation_class(task)
                if not task.flow_task.can_execute(people[reviewer], task):
                    raise PermissionError(step)
                activation.start(_Request(people[reviewer]))
                activation.process.approved = True
                activation.process.save()
                activation.execute()

        stats.run("approve", review, record)
    process.refresh_from_db()
    assert process.status == "DONE", process.status


# --- the run -----------------------------------------------------------------------------


def report(title, project, bare, key="p95"):
    print(f"\n{title}")
    print(
        f"{'step':10} {'side':13} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>7} "
        f"{'statements':>10} {'savepoints':>10} {'SET':>4}"
    )
    ratios = {}
    for step in ("submit", "approve"):
        rows = {}
        for side, stats in (("this project", project), ("bare viewflow", bare)):
            times = stats.times[step]
            st = stats.statements[step]
            p50, p95 = statistics.median(times), pct(times, 0.95)
            total = statistics.mean(s[0] for s in st)
            savepoints = statistics.mean(s[1] for s in st)
            sets = statistics.mean(s[2] for s in st)
            rows[side] = (p50, p95, total)
            cpu = statistics.median(stats.cpu[step])
            print(
                f"{step:10} {side:13} {len(times):4d} {p50:8.1f} {p95:8.1f} {cpu:7.1f} "
                f"{total:10.1f} {savepoints:10.1f} {sets:4.1f}"
            )
        ratios[step] = (
            rows["this project"][0] / rows["bare viewflow"][0],
            rows["this project"][1] / rows["bare viewflow"][1],
            rows["this project"][2] / rows["bare viewflow"][2],
        )
        r50, r95, rs = ratios[step]
        print(f"{step:10} {'ratio':13} {'':4} {r50:8.2f} {r95:8.2f} {'':7} {rs:10.2f}")
    return ratios


def main():
    # no setup_test_environment(): its template instrumentation would be timed too
    # production serves the collected, hashed files (whitenoise's manifest): without
    # running collectstatic here, the plain storage names the same files
    from django.test.utils import override_settings

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ROOT_URLCONF = "bench.bareflow.urls"
    vendor = connection.vendor
    old_name = connection.settings_dict["NAME"]
    if vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = os.path.join(
            os.environ["APP_VAR_DIR"], "bench.sqlite3"
        )
    else:
        connection.settings_dict["TEST"]["NAME"] = f"{old_name}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        t0 = time.perf_counter()
        people, drafts = seed()
        print(
            f"{vendor}, DEBUG={settings.DEBUG}: seeded {len(drafts)} dual-plaque drafts "
            f"in {time.perf_counter() - t0:.0f} s; {N} processes a side and a level, "
            f"alternating, after {WARMUP} warm-up each"
        )
        page_drafts, service_drafts = drafts[: N + WARMUP], drafts[N + WARMUP :]

        pages = Pages(people)
        project, bare = Stats(), Stats()
        for i, (app, head) in enumerate(page_drafts):
            record = i >= WARMUP
            if i % 2:  # alternate which side goes first
                pages.bare(bare, i, record)
                pages.project(project, app, head, record)
            else:
                pages.project(project, app, head, record)
                pages.bare(bare, i, record)
        page_rss = rss_mb()
        if show := os.environ.get("BENCH_SHOW_SQL"):  # BENCH_SHOW_SQL=approve|submit
            print(f"the statements of the last {show} POST:")
            print("\n".join(f"{t * 1000:6.2f} ms  {s[:150]}" for t, s in project.last[show]))
        page_ratios = report("Through the pages (test Client, DEBUG off)", project, bare)

        project_s, bare_s = Stats(), Stats()
        spent = {"project": 0.0, "bare": 0.0}
        for i, (app, head) in enumerate(service_drafts):
            record = i >= WARMUP
            order = ("bare", "project") if i % 2 else ("project", "bare")
            for side in order:
                t = time.perf_counter()
                if side == "project":
                    project_services(project_s, app, head, people, record)
                else:
                    bare_services(bare_s, 10_000 + i, people, record)
                if record:
                    spent[side] += time.perf_counter() - t
        report("Through the services", project_s, bare_s)
        rate = {side: N / s for side, s in spent.items()}
        per_process = {
            "project": sum(sum(s[0] for s in v) for v in project_s.statements.values()) / N,
            "bare": sum(sum(s[0] for s in v) for v in bare_s.statements.values()) / N,
        }
        print(
            f"\nprocesses/s (submit + 3 decisions, service level): this project "
            f"{rate['project']:.1f} ({per_process['project']:.0f} statements), bare viewflow "
            f"{rate['bare']:.1f} ({per_process['bare']:.0f} statements), "
            f"ratio {rate['project'] / rate['bare']:.2f}"
        )
        print(f"peak RSS: {page_rss:.0f} MB after the pages, {rss_mb():.0f} MB at the end")
        r95 = page_ratios["approve"][1]
        approve = project.statements["approve"]
        print(
            f"\ntargets: approve POST p95 ratio {r95:.2f} (≤ 0.80), "
            f"statements per approve POST max {max(s[0] for s in approve)} (≤ 19), "
            f"service rate ratio {rate['project'] / rate['bare']:.2f} (≥ 3.5)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
