"""A source tree's ``render_issued`` against plain WeasyPrint on the same HTML, alternating.

    git archive main | tar -x -C /tmp/main-tree && ln -s "$PWD/var/fonts" /tmp/main-tree/var/fonts
    .venv/bin/python bench/bench_docs_tree.py /tmp/main-tree 20   # "before" of the README
    .venv/bin/python bench/bench_docs_tree.py "$PWD" 20             # this tree

For trees whose renderer predates bench_docs.py's comparison: the plain side is
``HTML(string=render_html(snapshot)).write_pdf(font_config=FontConfiguration())`` on the
standalone page. Prints p50 / p95 of both, the ratios, the size and whether the PDFs match.
"""

import os
import statistics
import sys
import time

ROOT, N = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
sys.path.insert(0, ROOT)
os.chdir(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from bench.bench_docs import snapshot  # noqa: E402
from docs_gen.rendering import render_html, render_issued  # noqa: E402


def main() -> None:
    same = snapshot(1)
    html = str(render_html(same))

    def plain() -> bytes:
        return weasyprint.HTML(string=html, base_url=ROOT).write_pdf(
            font_config=FontConfiguration()
        )

    render_issued(same)
    plain()
    ours, theirs, pdf, plain_pdf = [], [], b"", b""
    for i in range(N):
        for side in ("ours", "plain") if i % 2 == 0 else ("plain", "ours"):
            t = time.perf_counter()
            if side == "ours":
                pdf = render_issued(same)[0]
                ours.append(time.perf_counter() - t)
            else:
                plain_pdf = plain()
                theirs.append(time.perf_counter() - t)

    def q(v):
        return statistics.median(v), statistics.quantiles(v, n=20)[18]

    (o50, o95), (p50, p95) = q(ours), q(theirs)
    print(ROOT)
    print(f"  render_issued     p50 {o50:.3f} s  p95 {o95:.3f} s  {len(pdf) / 1024:.1f} KB")
    print(f"  plain WeasyPrint  p50 {p50:.3f} s  p95 {p95:.3f} s  {len(plain_pdf) / 1024:.1f} KB")
    print(f"  ratio             p50 {o50 / p50:.2f}  p95 {o95 / p95:.2f}")
    print(f"  same PDF bytes    {'yes' if pdf == plain_pdf else 'no'}")


if __name__ == "__main__":
    main()
