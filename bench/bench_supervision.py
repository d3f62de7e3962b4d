"""Benchmark of the supervision pages at province scale, at several numbers of schools.

For each number of schools (``--schools``, default 50 200 800) a fresh database is
seeded with 17 key tasks dispatched to the bureaus and the schools — by default every
task reaches every school (17 × N × ``--reports``, the worst case; BENCH_FANOUT=annex
uses the annex's own fan-out) — ``--reports`` monthly progress reports per branch and
one timeline event per report; then the leading group's dashboard, a school's inbox
and the task page of a task that reaches every school are timed. Prints p50 / p95 ms,
SQL queries and HTML size per page and number of schools, and the dashboard's ratio
of the largest to the smallest.

    .venv/bin/python bench/bench_supervision.py                       # SQLite (a temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhiji_speed \\
        .venv/bin/python bench/bench_supervision.py --schools 50 200 800 --reports 24

Tasks are dispatched through the real service (flow, fan-out, notifications); the
81 600-odd reports are bulk-inserted (going through the service would take half an
hour and measures nothing the pages do). The database is a throw-away test database.
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
os.environ.setdefault("APP_VAR_DIR", tempfile.mkdtemp(prefix="zhiji-bench-"))
# DEBUG off, as in production (the test Client speaks plain HTTP: no SSL redirect)
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("DOCS_PUBLIC_BASE_URL", "https://zhiji.example.gov.cn")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

SCHOOLS = int(os.environ.get("BENCH_SCHOOLS", 200))
REPORTS = int(os.environ.get("BENCH_REPORTS", 24))
RUNS = int(os.environ.get("BENCH_RUNS", 30))
# "all": every task reaches every school (17 × 200 × 24, the worst case);
# "annex": the annex's own fan-out (4 tasks are bureaus only, row 9 two school types)
FANOUT = os.environ.get("BENCH_FANOUT", "all")


def seed():
    from tasks_registry.models import (
        Branch,
        EventKind,
        KeyTask,
        ProgressReport,
        SupervisionEvent,
    )
    from tasks_registry.services import registry_load, supervision_dispatch
    from tests.factories import UserFactory
    from workflows.models import Membership, Role, SchoolType, Unit, UnitKind
    from workflows.units import ensure_plan_units

    ensure_plan_units()
    types = list(SchoolType)
    for i in range(SCHOOLS):
        Unit.objects.create(
            code=f"b{i:03d}",
            name=f"台州市测试第{i + 1}学校",
            kind=UnitKind.SCHOOL,
            school_type=types[i % len(types)],
            sort_order=100 + i,
        )
    registry_load()
    if FANOUT == "all":
        KeyTask.objects.update(implementing_groups=["职业院校", "技工院校"])
    people = {}
    for code in ("office", "leading-group", "edu", "hrss", "finance", "ndrc", "b000"):
        user = UserFactory(username=f"{code}-handler")
        Membership.objects.create(user=user, unit=Unit.objects.get(code=code), role=Role.HANDLER)
        people[code] = user
    today = timezone.localdate()
    start = today - timedelta(days=31 * REPORTS)
    for task in KeyTask.objects.order_by("number"):
        supervision_dispatch(
            task=task,
            actor=people["office"],
            start_date=start,
            deadline=today + timedelta(days=(task.number % 5) * 20 - 20),
        )
    author = people["b000"]
    branches = list(Branch.objects.select_related("supervision"))
    reports, events = [], []
    for b in branches:
        for cycle in range(1, REPORTS + 1):
            at = timezone.make_aware(
                timezone.datetime.combine(
                    start + timedelta(days=31 * (cycle - 1) + 20), timezone.datetime.min.time()
                )
            )
            percent = min(100, cycle * 4 + b.pk % 7)
            reports.append(
                ProgressReport(
                    branch=b,
                    author=author,
                    submitted_at=at,
                    cycle=cycle,
                    text="本月工作进展情况……",
                    percent=percent,
                )
            )
            events.append(
                SupervisionEvent(
                    supervision=b.supervision,
                    branch=b,
                    kind=EventKind.REPORT,
                    actor=author,
                    actor_name="测试",
                    unit_name="",
                    created_at=at,
                    note=f"进度{percent}%",
                )
            )
        b.state = "done" if b.pk % 9 == 0 else "active"
        b.percent = min(100, REPORTS * 4 + b.pk % 7)
        b.report_count = b.cycles_reported = b.last_report_cycle = REPORTS
        b.last_report_at = reports[-1].submitted_at
        b.acknowledged_at = timezone.now()
        if b.state == "done":
            b.done_at = timezone.now()
    ProgressReport.objects.bulk_create(reports, batch_size=5000)
    SupervisionEvent.objects.bulk_create(events, batch_size=5000)
    Branch.objects.bulk_update(
        branches,
        [
            "state",
            "percent",
            "report_count",
            "cycles_reported",
            "last_report_cycle",
            "last_report_at",
            "acknowledged_at",
            "done_at",
        ],
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE")
    big = max(KeyTask.objects.all(), key=lambda t: len(t.assigned_units()))
    return people, big.number, len(branches), len(reports)


def measure(client, url, runs=RUNS):
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    queries = size = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
        queries = len(ctx.captured_queries)
        size = len(response.content)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95, queries, size


def run_one(vendor, old_name):
    """Seed a fresh database with SCHOOLS schools and time the pages: {page: figures}."""
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        t0 = time.perf_counter()
        people, big, n_branches, n_reports = seed()
        print(
            f"{vendor} ({FANOUT} fan-out): seeded 17 tasks, {SCHOOLS} schools, "
            f"{n_branches} branches, {n_reports} reports in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        office, school = Client(), Client()
        office.force_login(people["office"])
        school.force_login(people["b000"])
        rows = [
            ("dashboard /dashboard/", office, "/dashboard/"),
            ("school inbox /workbench/inbox/", school, "/workbench/inbox/"),
            ("task page (office, every branch)", office, f"/tasks/{big}/"),
            ("task page (one school)", school, f"/tasks/{big}/"),
        ]
        return {name: measure(client, url) for name, client, url in rows}
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        connection.settings_dict["NAME"] = old_name


def main():
    global SCHOOLS, REPORTS, RUNS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, nargs="+", default=[50, 200, 800])
    parser.add_argument("--reports", type=int, default=REPORTS, help="reports per branch")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed requests per page")
    args = parser.parse_args()
    REPORTS, RUNS = args.reports, args.runs
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    old_name = connection.settings_dict["NAME"]
    if vendor == "sqlite3":  # a file, like the embedded mode, not an in-memory database
        connection.settings_dict["TEST"]["NAME"] = os.path.join(
            os.environ["APP_VAR_DIR"], "bench.sqlite3"
        )
    else:
        connection.settings_dict["TEST"]["NAME"] = f"{old_name}_sup"
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
    settings.ALLOWED_HOSTS = ["*"]
    results = {}
    for n in args.schools:
        SCHOOLS = n
        results[n] = run_one(vendor, old_name)
    pages = list(next(iter(results.values())))
    print(f"\n{vendor}, {args.reports} reports per branch, {RUNS} requests per page")
    header = "".join(f" | {n:>4} schools: p50 / p95 ms, queries, KB" for n in args.schools)
    print(f"{'page':34}{header}")
    for page in pages:
        cells = "".join(
            f" | {p50:17.1f} / {p95:6.1f} {q:8d} {size / 1024:6.0f}"
            for p50, p95, q, size in (results[n][page] for n in args.schools)
        )
        print(f"{page:34}{cells}")
    small, large = min(args.schools), max(args.schools)
    dash = "dashboard /dashboard/"
    print(
        f"\ndashboard at {large} / at {small} schools: p50 "
        f"{results[large][dash][0] / results[small][dash][0]:.2f}, p95 "
        f"{results[large][dash][1] / results[small][dash][1]:.2f}, HTML "
        f"{results[large][dash][3] / results[small][dash][3]:.2f}"
    )


if __name__ == "__main__":
    main()
