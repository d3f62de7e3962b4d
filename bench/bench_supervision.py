"""Benchmark of the supervision pages at province scale, at several numbers of schools.

For each number of schools (``--schools``, default 50 200 800) a fresh database is
seeded with 17 key tasks dispatched to the bureaus and the schools — by default every
task reaches every school (17 × N × ``--reports``, the worst case; BENCH_FANOUT=annex
uses the annex's own fan-out) — ``--reports`` monthly progress reports per branch and
one timeline event per report; then the leading group's dashboard, a school's inbox
and the task page of a task that reaches every school are timed, round-robin over the
databases so that a shared machine's load falls on every size alike. Prints p50 / p95 ms,
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


def _use(db_name: str) -> None:
    """Point the connection at one of the seeded databases."""
    connection.close()
    connection.settings_dict["NAME"] = db_name


def seed_one(vendor, n: int, test_name: str):
    """A fresh database with ``n`` schools: (its name, the pages to time with their clients)."""
    global SCHOOLS
    SCHOOLS = n
    connection.settings_dict["TEST"]["NAME"] = test_name
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    t0 = time.perf_counter()
    people, big, n_branches, n_reports = seed()
    print(
        f"{vendor} ({FANOUT} fan-out): seeded 17 tasks, {n} schools, "
        f"{n_branches} branches, {n_reports} reports in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    office, school = Client(), Client()
    office.force_login(people["office"])
    school.force_login(people["b000"])
    pages = [
        ("dashboard /dashboard/", office, "/dashboard/"),
        ("school inbox /workbench/inbox/", school, "/workbench/inbox/"),
        ("task page (office, every branch)", office, f"/tasks/{big}/"),
        ("task page (one school)", school, f"/tasks/{big}/"),
    ]
    return db_name, pages


def measure_interleaved(seeded: dict, runs: int) -> dict:
    """Every page at every size, round-robin, ``runs`` times: the load of a shared machine
    falls on all sizes alike. {n: {page: (p50, p95, queries, bytes)}}."""
    times = {n: {} for n in seeded}
    last = {n: {} for n in seeded}
    for round_ in range(runs + 3):
        for n, (db_name, pages) in seeded.items():
            _use(db_name)
            for name, client, url in pages:
                if round_ == 0:
                    assert client.get(url).status_code == 200, url  # after the reconnect
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - t0) * 1000
                assert response.status_code == 200, url
                if round_ >= 3:  # three warm-up rounds
                    times[n].setdefault(name, []).append(elapsed)
                last[n][name] = (len(ctx.captured_queries), len(response.content))
    result = {}
    for n in seeded:
        result[n] = {}
        for name, values in times[n].items():
            values.sort()
            p95 = values[min(len(values) - 1, int(round(0.95 * len(values))) - 1)]
            result[n][name] = (statistics.median(values), p95, *last[n][name])
    return result


def main():
    global REPORTS, RUNS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, nargs="+", default=[50, 200, 800])
    parser.add_argument("--reports", type=int, default=REPORTS, help="reports per branch")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed requests per page")
    args = parser.parse_args()
    REPORTS, RUNS = args.reports, args.runs
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    old_name = connection.settings_dict["NAME"]
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
    seeded = {}
    try:
        for n in args.schools:
            if vendor == "sqlite3":  # a file, like the embedded mode, not an in-memory database
                name = os.path.join(os.environ["APP_VAR_DIR"], f"bench{n}.sqlite3")
            else:
                name = f"{old_name}_sup{n}"
            seeded[n] = seed_one(vendor, n, name)
            connection.settings_dict["NAME"] = old_name
        results = measure_interleaved(seeded, RUNS)
    finally:
        for db_name, _pages in seeded.values():
            _use(old_name)
            connection.creation._destroy_test_db(db_name, verbosity=0)
    pages = list(next(iter(results.values())))
    print(
        f"\n{vendor}, {args.reports} reports per branch, {RUNS} requests per page and size, "
        "the sizes interleaved"
    )
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
