"""Benchmark: two-page notices, against plain WeasyPrint, in one process and through two
Celery workers.

    .venv/bin/python bench/bench_docs.py                  # in-process only
    BENCH_DOCS_N=100 .venv/bin/python bench/bench_docs.py # renders per side (default 50)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhiji_docs \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/bench_docs.py

First the same notice, its HTML built once, rendered alternately by plain WeasyPrint (a
fresh FontConfiguration and the style sheet given as a string, as a naive caller does)
and by docs_gen.rendering (which keeps fonts and parsed style sheets per process):
p50 / p95 of each, their ratio (issue 14: p50 ≤ 0.55 × plain WeasyPrint's), pages, KB.
Then N different notices rendered and signed: p50 / p95 seconds per document, pages per
second, mean file size, and the signing time (PAdES, docs_gen/signing.py) apart from the
rendering's. Targets: ≤ 120 KB per two-page notice; signing adds at most 15% to its
render time.
The Celery part issues 50 real documents (number registry, audit, render task
queued on commit) and waits until two worker processes have rendered them all;
it needs PostgreSQL and Redis and is skipped otherwise.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from docs_gen import signing  # noqa: E402
from docs_gen.rendering import render_html, render_issued  # noqa: E402

N = int(os.environ.get("BENCH_DOCS_N", "50"))
PARAGRAPH = (
    "各地各校要高度重视职技融通改革试点工作，加强组织领导，细化工作措施，"
    "按照学分互认、证书互通、资源共享的要求，确保各项任务落到实处，并按时报送工作进展情况。"
)


def notice_body(i: int) -> list[dict]:
    body = [
        {
            "type": "paragraph",
            "text": f"根据《台州市职技融通改革实施方案》要求，现将第{i}批试点工作有关事项通知如下。",
        },
        {"type": "heading", "level": 1, "text": "一、工作任务"},
    ]
    body += [{"type": "paragraph", "text": PARAGRAPH} for _ in range(3)]
    body += [
        {"type": "heading", "level": 2, "text": "（一）保障措施。", "rest": "各校要落实经费保障。"}
    ]
    body += [{"type": "paragraph", "text": PARAGRAPH} for _ in range(3)]
    return body


def snapshot(i: int) -> dict:
    return {
        "mark": "台州市教育局文件",
        "number": f"台教发〔2024〕{i}号",
        "title": f"台州市教育局关于做好第{i}批职技融通改革试点工作的通知",
        "addressees": ["各县（市、区）教育局", "市直各职业院校"],
        "body": notice_body(i),
        "attachments": [],
        "issuer_name": "台州市教育局",
        "date": "2024-06-01",
        "seal": True,
        "note": "此件公开发布",
        "cc": ["市人力社保局", "市财政局"],
        "printer": "台州市教育局办公室",
        "print_date": "2024-06-02",
        "verification": {
            "code": f"BNCH-{i:04d}",
            "url": f"http://localhost:8000/verify/BNCH{i:04d}/",
        },
    }


def report(label: str, seconds: list[float], pages: int, sizes: list[int], wall: float) -> None:
    q = statistics.quantiles(seconds, n=20) if len(seconds) > 1 else seconds * 19
    print(f"{label}")
    print(
        f"  documents       {len(seconds)}  ({pages} pages, {pages / len(seconds):.2f} per document)"
    )
    print(f"  p50 s/document  {statistics.median(seconds):.3f}")
    print(f"  p95 s/document  {q[18]:.3f}")
    print(f"  pages/second    {pages / wall:.2f}  (wall {wall:.2f} s)")
    print(
        f"  mean size       {statistics.mean(sizes) / 1024:.1f} KB  (max {max(sizes) / 1024:.1f} KB)"
    )


EDU = signing.Party(unit_code="edu", name="台州市教育局")


def sign(pdf: bytes, seals, i: int) -> bytes:
    """As docs_gen.services.document_render signs an issued document (PAdES, the issuer's
    key: the embedded mode's test authority unless DOCS_SIGNING_P12_EDU says otherwise)."""
    return signing.sign_pdf(
        pdf,
        [EDU],
        seals=[signing.SealBox(page, rect) for page, rect in seals],
        reason=f"印发：台教发〔2024〕{i}号",
        location=f"http://localhost:8000/verify/BNCH{i:04d}/",
    )


def plain_weasyprint(page) -> bytes:
    """What a naive caller does with the same HTML: a fresh FontConfiguration, the same
    style sheet given as a string (its @font-face faces registered again), WeasyPrint's
    own URL fetcher, one ``write_pdf``."""
    font_config = FontConfiguration()
    css = weasyprint.CSS(string=page.css, font_config=font_config)
    return weasyprint.HTML(string=page.bare, base_url=str(ROOT)).write_pdf(
        stylesheets=[css], font_config=font_config
    )


def _pdf_pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _quantiles(seconds: list[float]) -> tuple[float, float]:
    return statistics.median(seconds), statistics.quantiles(seconds, n=20)[18]


def bench_in_process() -> None:
    """Our renderer and plain WeasyPrint on the same notice, alternating one for one
    (who goes first swaps every round), so that the load of a shared machine falls on
    both alike; then the signing of our PDFs."""
    t = time.perf_counter()
    pdf, _count, seals = render_issued(snapshot(0))
    sign(pdf, seals, 0)  # keys made (first run) and loaded
    print(
        f"warm-up (fonts, style sheets and signing key loaded once per process): "
        f"{time.perf_counter() - t:.2f} s"
    )
    same = snapshot(1)
    page = render_html(same)  # the same HTML for both, built once
    plain_weasyprint(page)  # warm-up: WeasyPrint's modules, Pango, fontconfig's cache
    ours_s, plain_s, ours_pdf, plain_pdf = [], [], b"", b""
    for i in range(N):
        for side in ("ours", "plain") if i % 2 == 0 else ("plain", "ours"):
            t = time.perf_counter()
            if side == "ours":
                ours_pdf, ours_pages, _seals = render_issued(same)
                ours_s.append(time.perf_counter() - t)
            else:
                plain_pdf = plain_weasyprint(page)
                plain_s.append(time.perf_counter() - t)
    (o50, o95), (p50, p95) = _quantiles(ours_s), _quantiles(plain_s)
    print(f"one two-page notice, {N} renders each, alternating (one core)")
    print(
        f"  plain WeasyPrint  p50 {p50:.3f} s  p95 {p95:.3f} s  "
        f"{_pdf_pages(plain_pdf)} pages  {len(plain_pdf) / 1024:.1f} KB"
    )
    print(
        f"  this renderer     p50 {o50:.3f} s  p95 {o95:.3f} s  "
        f"{ours_pages} pages  {len(ours_pdf) / 1024:.1f} KB  (HTML built in each render)"
    )
    print(f"  ratio             p50 {o50 / p50:.2f}  p95 {o95 / p95:.2f}  (target p50 ≤ 0.55)")
    print(f"  same PDF bytes    {'yes' if ours_pdf == plain_pdf else 'no'}")

    seconds, render_seconds, sign_seconds, sizes, pages = [], [], [], [], 0
    start = time.perf_counter()
    for i in range(1, N + 1):
        t = time.perf_counter()
        pdf, count, seals = render_issued(snapshot(i))
        rendered = time.perf_counter()
        pdf = sign(pdf, seals, i)
        done = time.perf_counter()
        seconds.append(done - t)
        render_seconds.append(rendered - t)
        sign_seconds.append(done - rendered)
        sizes.append(len(pdf))
        pages += count
    report(
        f"{N} different notices (one core), rendered and signed",
        seconds,
        pages,
        sizes,
        time.perf_counter() - start,
    )
    report_signing(render_seconds, sign_seconds)


def report_signing(render_seconds: list[float], sign_seconds: list[float]) -> None:
    rq = statistics.quantiles(render_seconds, n=20)
    sq = statistics.quantiles(sign_seconds, n=20)
    share = statistics.median(sign_seconds) / statistics.median(render_seconds)
    print(f"  render only     p50 {statistics.median(render_seconds):.3f} s, p95 {rq[18]:.3f} s")
    print(f"  signing only    p50 {statistics.median(sign_seconds):.3f} s, p95 {sq[18]:.3f} s")
    print(f"  signing adds    {100 * share:.1f}% to the p50 render (target ≤ 15%)")


def _wait(model, status, ids, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not model.objects.filter(pk__in=ids, render_status=status.QUEUED).exists():
            return
        time.sleep(0.1)


def _ensure_database(connection) -> None:
    """Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."""
    import psycopg

    params = connection.get_connection_params()
    name = params.pop("dbname")
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def bench_celery() -> None:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        print("celery: skipped (set DATABASE_URL to PostgreSQL and CELERY_BROKER_URL to Redis)")
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        print("celery: skipped (CELERY_TASK_ALWAYS_EAGER is on)")
        return
    from django.core.management import call_command

    from docs_gen import services
    from docs_gen.demo import ensure_issuers
    from docs_gen.models import OfficialDocument, RenderStatus  # noqa: F401
    from tests.factories import member
    from workflows.models import Role

    _ensure_database(connection)
    call_command("migrate", verbosity=0)
    issuer = ensure_issuers()["edu"]
    leader = member(issuer.unit, Role.LEADER, username="bench-edu-leader")
    drafts = []
    for i in range(1, N + 1):
        s = snapshot(i)
        d = services.document_create(
            issuer=issuer.unit,
            kind="notice",
            title=s["title"],
            addressees=s["addressees"],
            body=s["body"],
            cc=s["cc"],
            note=s["note"],
            actor=leader,
            series="bench",
        )
        services.document_sign_off(document=d, actor=leader)
        drafts.append(d)
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
                f"bench{k}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for k in (1, 2)
    ]
    try:
        # warm-up: each worker loads its fonts on its first document
        warm = []
        for i in range(2):
            d = services.document_create(
                issuer=issuer.unit,
                kind="notice",
                title=f"预热{i}",
                addressees=["各校"],
                body=notice_body(0),
                actor=leader,
                series="bench",
            )
            services.document_sign_off(document=d, actor=leader)
            warm.append(services.document_issue(document=d, actor=leader).pk)
        _wait(OfficialDocument, RenderStatus, warm)
        start = time.perf_counter()
        batch = services.documents_issue_batch(documents=drafts, actor=leader, label="bench")
        issued_in = time.perf_counter() - start
        ids = list(batch.documents.values_list("pk", flat=True))
        _wait(OfficialDocument, RenderStatus, ids)
        wall = time.perf_counter() - start
        docs = list(OfficialDocument.objects.filter(pk__in=ids).order_by("issued_at"))
        failed = [d for d in docs if d.render_status != RenderStatus.DONE]
        if failed:
            print(f"celery: {len(failed)} failed: {failed[0].render_error}")
        ok = [d for d in docs if d.render_status == RenderStatus.DONE]
        latencies = [(d.rendered_at - d.issued_at).total_seconds() for d in ok]
        sizes = [d.pdf.size for d in ok]
        pages = sum(d.page_count or 0 for d in ok)
        q = statistics.quantiles(latencies, n=20)
        from workflows.models import AuditEntry

        worker_seconds = [
            e.after["seconds"]
            for e in AuditEntry.objects.filter(
                action="docs.rendered", object_id__in=[str(i) for i in ids]
            )
            if e.after and "seconds" in e.after
        ]
        wq = statistics.quantiles(worker_seconds, n=20)
        sign_seconds = [
            e.after["sign_seconds"]
            for e in AuditEntry.objects.filter(
                action="docs.rendered", object_id__in=[str(i) for i in ids]
            )
            if e.after and "sign_seconds" in e.after
        ]
        print(
            "celery, 2 worker processes on Redis (real pipeline: number, audit, render task on commit)"
        )
        print(
            f"  documents       {len(ok)}  ({pages} pages); issuing all {N} took {issued_in:.2f} s"
        )
        print(f"  wall            {wall:.2f} s from issue to the last PDF")
        print(f"  documents/s     {len(ok) / wall:.2f}; pages/second {pages / wall:.2f}")
        print(
            f"  render in task  p50 {statistics.median(worker_seconds):.3f} s, "
            f"p95 {wq[18]:.3f} s per document (timed inside the worker)"
        )
        if sign_seconds:
            render_only = [w - s for w, s in zip(worker_seconds, sign_seconds, strict=False)]
            sq = statistics.quantiles(sign_seconds, n=20)
            print(
                f"  signing in task p50 {statistics.median(sign_seconds):.3f} s, p95 {sq[18]:.3f} s; "
                f"adds {100 * statistics.median(sign_seconds) / statistics.median(render_only):.1f}% "
                "to the p50 render"
            )
        print(
            f"  service time    {2 * wall / len(ok):.3f} s per document per worker (2 × wall / N)"
        )
        print(
            f"  queue latency   p50 {statistics.median(latencies):.2f} s, p95 {q[18]:.2f} s (all {N} queued at once)"
        )
        print(f"  mean size       {statistics.mean(sizes) / 1024:.1f} KB")
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)


if __name__ == "__main__":
    bench_in_process()
    bench_celery()
