"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN.

Pure functions: figures in, SVG markup out (text escaped).
"""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

COLOURS = {"green": "#2e7d32", "amber": "#ef8f00", "red": "#c62828", "grey": "#bdbdbd"}


def donut(segments: list[tuple[str, int, str]], *, title: str, centre: str = "") -> str:
    """segments: (label, count, colour key). A ring with one arc per non-empty segment."""
    total = sum(count for _label, count, _c in segments)
    radius, width, size = 52, 22, 150
    circumference = 2 * 3.14159265 * radius
    arcs = []
    offset = 0.0
    for _label, count, colour in segments:
        if not count:
            continue
        length = circumference * count / total
        arcs.append(
            format_html(
                '<circle r="{}" cx="75" cy="75" fill="none" stroke="{}" stroke-width="{}" '
                'stroke-dasharray="{} {}" stroke-dashoffset="{}" transform="rotate(-90 75 75)"/>',
                radius,
                COLOURS[colour],
                width,
                f"{length:.2f}",
                f"{circumference - length:.2f}",
                f"{-offset:.2f}",
            )
        )
        offset += length
    if not total:
        arcs.append(
            format_html(
                '<circle r="{}" cx="75" cy="75" fill="none" stroke="#eeeeee" stroke-width="{}"/>',
                radius,
                width,
            )
        )
    legend = format_html_join(
        "",
        '<g transform="translate(150 {})"><rect width="12" height="12" rx="6" fill="{}"/>'
        '<text x="17" y="11" font-size="12.5">{}</text></g>',
        (
            (30 + i * 24, COLOURS[c], _("%(label)s：%(count)s") % {"label": label, "count": count})
            for i, (label, count, c) in enumerate(segments)
        ),
    )
    return format_html(
        '<svg class="zj-chart" role="img" aria-label="{}" viewBox="0 0 320 {}" width="320" '
        'height="{}" xmlns="http://www.w3.org/2000/svg">{}<text x="75" y="72" font-size="22" '
        'text-anchor="middle" font-weight="500">{}</text><text x="75" y="92" font-size="11" '
        'text-anchor="middle" fill="#757575">{}</text>{}</svg>',
        title,
        size,
        size,
        mark_safe("".join(arcs)),  # noqa: S308 - built from format_html above
        total,
        centre,
        legend,
    )


def rate_bars(items: list[tuple[str, Decimal | None]], *, title: str) -> str:
    """Horizontal bars for percentages 0–100 (None: nothing due yet, drawn grey)."""
    row_h, label_w, bar_w = 24, 190, 260
    height = max(len(items), 1) * row_h + 10
    rows = []
    for i, (label, rate) in enumerate(items):
        y = 5 + i * row_h
        value = rate if rate is not None else Decimal(0)
        colour = (
            "grey"
            if rate is None
            else ("green" if value >= 90 else "amber" if value >= 60 else "red")
        )
        rows.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="14" fill="#f1f1f1"/>'
                '<rect x="{}" y="{}" width="{}" height="14" fill="{}"/>'
                '<text x="{}" y="{}" font-size="12">{}</text>',
                label_w - 8,
                y + 12,
                label,
                label_w,
                y + 2,
                bar_w,
                label_w,
                y + 2,
                f"{bar_w * value / 100:.1f}",
                COLOURS[colour],
                label_w + bar_w + 6,
                y + 13,
                "—" if rate is None else f"{rate}%",
            )
        )
    return format_html(
        '<svg class="zj-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'style="max-width:{}px" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        title,
        label_w + bar_w + 60,
        height,
        label_w + bar_w + 60,
        mark_safe("".join(rows)),  # noqa: S308 - each row built with format_html
    )
