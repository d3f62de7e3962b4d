"""Benchmark: 1,000 荣誉证书 issued in bulk through two Celery workers on Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhiji_awards_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/bench_certificates.py

Drives a results sheet of 1,000 awardees through the real services (import, HR review,
finance check against the awards line, payment), then times ``award_issue``: the 决定 is
signed off and numbered, every certificate is queued on commit, and two worker processes
(``--concurrency=1`` each) render them. Prints the progress, the wall time from issuing to
the last certificate, certificates (pages) per second and the mean file size.
Target on a 2-core machine: ≤ 3 minutes for the 1,000. Needs PostgreSQL and Redis.
"""

import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

import django  # noqa: E402

django.setup()

N = int(os.environ.get("BENCH_CERTIFICATES", "1000"))


def main() -> None:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        print("skipped: set DATABASE_URL to PostgreSQL and CELERY_BROKER_URL to Redis")
        return
    from bench.bench_docs import _ensure_database

    _ensure_database(connection)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from decimal import Decimal

    from django.utils import timezone

    from approvals.subsidies import awards, budget
    from approvals.subsidies.awards_import import PreviewRow
    from approvals.subsidies.idnumbers import check_digit
    from approvals.subsidies.models import BudgetLine, Certificate, CertificateStatus, Purpose
    from docs_gen.demo import ensure_issuers
    from tests.factories import member
    from workflows.models import Role
    from workflows.units import ensure_plan_units, unit_by_code

    ensure_plan_units()
    ensure_issuers()
    hr, fin = unit_by_code("hrss"), unit_by_code("finance")
    hr_handler = member(hr, Role.HANDLER, username="bench-hrss-handler")
    hr_head = member(hr, Role.HEAD, username="bench-hrss-head")
    hr_leader = member(hr, Role.LEADER, username="bench-hrss-leader")
    fin_handler = member(fin, Role.HANDLER, username="bench-finance-handler")
    year = timezone.localdate().year
    run = uuid.uuid4().hex[:6]
    rows = []
    for i in range(N):
        first = f"331002{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        number = first + check_digit(first)
        competition = f"台州市职业技能大赛第{i // 5 + 1}项目（{run}）"
        place = i % 5 + 1
        title, amount = (
            ("台州技能大师", Decimal("10000.00"))
            if place == 1
            else ("台州市技术能手", Decimal("5000.00"))
        )
        rows.append(
            PreviewRow(
                row=i + 2,
                name=f"选手{i + 1:04d}",
                id_number=number,
                unit="台州市精工机械有限公司",
                competition=competition,
                competition_class="一类",
                place=place,
                title=title,
                amount=amount,
                error=None,
            )
        )
    total = sum(r.amount for r in rows)
    line = BudgetLine.objects.filter(year=year, purpose=Purpose.AWARDS).first()
    if line is None:
        budget.line_save(actor=fin_handler, year=year, purpose=Purpose.AWARDS, amount=total)
    else:
        budget.line_save(
            actor=fin_handler,
            year=year,
            purpose=Purpose.AWARDS,
            amount=line.amount + total,
            line=line,
            version=line.version,
        )
    t = time.perf_counter()
    imp = awards.import_confirm(
        actor=hr_handler,
        token=awards.preview_token(rows, title=f"基准测试{run}", source="bench.xlsx"),
    )
    print(f"import of {N} awardees: {time.perf_counter() - t:.2f} s")

    def v():
        imp.refresh_from_db()
        return imp.version

    awards.award_review(
        award_import=imp, actor=hr_head, decision="approve", opinion="", version=v()
    )
    awards.award_fund(
        award_import=imp, actor=fin_handler, decision="approve", opinion="", version=v()
    )
    awards.award_pay(
        award_import=imp,
        actor=fin_handler,
        paid_on=timezone.localdate(),
        voucher=f"记-{run}",
        version=v(),
    )

    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false"}
    workers = [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "config",
                "worker",
                "--concurrency=1",
                "--loglevel=WARNING",
                "-n",
                f"benchcert{k}@%h",
                "--without-gossip",
                "--without-mingle",
                "--prefetch-multiplier=1",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for k in (1, 2)
    ]
    try:
        time.sleep(4)  # the workers connect
        start = time.perf_counter()
        awards.award_issue(award_import=imp, actor=hr_leader, version=v())
        issued_in = time.perf_counter() - start
        certs = Certificate.objects.filter(awardee__award_import=imp)
        last = -1
        deadline = time.time() + 900
        while time.time() < deadline:
            p = awards.progress(imp)
            if p["done"] != last and (p["done"] - last >= 100 or p["done"] == p["total"]):
                print(
                    f"  {time.perf_counter() - start:6.1f} s  done {p['done']}/{p['total']}"
                    f"  failed {len(p['failed'])}"
                )
                last = p["done"]
            if p["queued"] == 0:
                break
            time.sleep(0.5)
        wall = time.perf_counter() - start
        done = list(certs.filter(status=CertificateStatus.DONE))
        failed = certs.filter(status=CertificateStatus.FAILED)
        seconds = [c.render_seconds for c in done if c.render_seconds]
        sizes = [c.pdf.size for c in done[:50]]
        print("certificates, 2 worker processes on Redis (import → review → fund → pay → issue)")
        print(
            f"  certificates    {len(done)} done, {failed.count()} failed, "
            f"issuing (决定 + queueing) took {issued_in:.2f} s"
        )
        print(
            f"  wall            {wall:.1f} s from issue to the last PDF "
            f"(target ≤ 180 s): {'OK' if wall <= 180 and len(done) == N else 'MISSED'}"
        )
        print(f"  pages/second    {len(done) / wall:.2f} (one page each)")
        if seconds:
            print(
                f"  render in task  p50 {statistics.median(seconds):.3f} s, "
                f"max {max(seconds):.3f} s"
            )
        if sizes:
            print(f"  mean size       {statistics.mean(sizes) / 1024:.1f} KB")
        again = awards.certificates_issue(award_import=imp)
        print(f"  issuing again   {again} new certificates")
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)


if __name__ == "__main__":
    import signal

    # a `timeout` or Ctrl-C still stops the two workers (the finally block above)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
