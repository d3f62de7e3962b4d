"""Vector drawings for official documents: the round seal and outlined text.

Glyphs are turned into SVG paths with fontTools, so the seal and the verification
code are drawings, not text: they do not disturb text extraction or the layout
checks of the text block, and they print the same everywhere. Pure functions;
fonts are read once per process.
"""

import math
from functools import lru_cache
from html import escape

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

SEAL_RED = "#e60012"


@lru_cache(maxsize=8)
def _font(path: str, index: int):
    font = TTFont(path, fontNumber=index, lazy=True)
    return font, font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm


def _glyph_path(font_spec: tuple[str, int], char: str, transform) -> tuple[str, float]:
    """SVG path data of ``char`` under ``transform`` (font units -> drawing), and its advance."""
    font, glyphs, cmap, _upem = _font(*font_spec)
    name = cmap.get(ord(char)) or cmap.get(ord("□"))
    if name is None:
        return "", 0.0
    pen = SVGPathPen(glyphs)
    glyphs[name].draw(TransformPen(pen, transform))
    return pen.getCommands(), glyphs[name].width


def outlined_text(text: str, *, font_spec: tuple[str, int], size: float, fill: str) -> str:
    """A small SVG (units: pt) of ``text`` set in one line, glyphs as paths."""
    _font_obj, glyphs, cmap, upem = _font(*font_spec)
    scale = size / upem
    x = 0.0
    parts = []
    for char in text:
        # y axis flips: font units grow upwards, SVG downwards; baseline at 0.88 em
        d, advance = _glyph_path(font_spec, char, (scale, 0, 0, -scale, x, size * 0.88))
        if d:
            parts.append(d)
        x += advance * scale
    width = max(x, 0.1)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}pt" height="{size:.2f}pt" '
        f'viewBox="0 0 {width:.2f} {size:.2f}"><path fill="{fill}" d="{" ".join(parts)}"/></svg>'
    )


def _star(cx: float, cy: float, r: float) -> str:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append(f"{cx + radius * math.cos(angle):.3f},{cy + radius * math.sin(angle):.3f}")
    return f'<polygon fill="{SEAL_RED}" points="{" ".join(points)}"/>'


@lru_cache(maxsize=64)
def seal_svg(name: str, *, font_spec: tuple[str, int], diameter_mm: float = 42.0) -> str:
    """A red round seal for ``name``: ring, the name on the upper arc, a star in the centre.

    Units are mm. The name runs clockwise over an arc of up to 250°, upright to
    the ring like a carved seal. A drawing only, not a cryptographic signature.
    """
    d = diameter_mm
    c = d / 2
    ring = d * 0.03
    chars = list(name)
    n = max(len(chars), 1)
    arc = min(250.0, max(120.0, n * 25.0))
    step = arc / max(n - 1, 1)
    outer = c - ring * 1.6  # glyph tops stay inside the ring
    # glyphs as wide as ~80 % of their spacing, measured at their middle radius
    char_size = min(d * 0.17, 0.8 * (outer - d * 0.07) * math.radians(step))
    text_r = outer
    start = -arc / 2 if n > 1 else 0.0
    _f, _g, _c, upem = _font(*font_spec)
    glyph_paths = []
    for i, char in enumerate(chars):
        angle = math.radians(start + i * step)  # 0 = straight up, clockwise positive
        scale = char_size / upem
        # place the glyph's top-centre on the text circle, rotated to face outwards
        x = c + text_r * math.sin(angle)
        y = c - text_r * math.cos(angle)
        cos_a, sin_a = math.cos(angle), math.sin(angle)
        # font units -> local (glyph centred horizontally, top at 0, y down) -> rotated -> page
        lx, ly = -char_size / 2, char_size * 0.88
        # transform: p' = R * (S*p + (lx, ly)) + (x, y), with S flipping y
        a, b = scale * cos_a, scale * sin_a
        cc, dd = scale * sin_a, -scale * cos_a
        e = x + cos_a * lx - sin_a * ly
        f = y + sin_a * lx + cos_a * ly
        # matrix columns: x-axis -> (a, b), y-axis -> (cc, dd)
        path, _adv = _glyph_path(font_spec, char, (a, b, cc, dd, e, f))
        if path:
            glyph_paths.append(path)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{d}mm" height="{d}mm" '
        f'viewBox="0 0 {d} {d}" aria-label="{escape(name)}">'
        f'<circle cx="{c}" cy="{c}" r="{c - ring / 2 - 0.2:.3f}" fill="none" '
        f'stroke="{SEAL_RED}" stroke-width="{ring:.3f}"/>'
        f'<path fill="{SEAL_RED}" d="{" ".join(glyph_paths)}"/>'
        f"{_star(c, c, d * 0.17)}</svg>"
    )
