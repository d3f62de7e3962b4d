"""GB 2312 cuts of the Noto CJK faces, built once per machine, for small PDFs.

WeasyPrint embeds a subset of each font but keeps every glyph slot up to the
highest glyph id used (HarfBuzz RETAIN_GIDS). Noto CJK has 65 000 glyphs in
an order unrelated to frequency, so each face costs 70–90 KB in every PDF even
for a few characters. A cut with only GB 2312 (7 400 characters: every
character of ordinary documents), ASCII and the punctuation of official
documents has 7 500 glyphs, and its slots cost a few KB.

The cut keeps CID-keyed CFF outlines, renumbered so that CID = glyph id: every
PDF reader maps the codes the same way, whether it goes through the CFF
charset or not (ISO 32000-1 §9.7.4.2). Rare characters (堃 喆 赟 …) are not in
the cut: the renderer lists the full face right after it, so Pango falls back
per character.

    .venv/bin/python -m docs_gen.fontcache      # build now (scripts/setup.sh does)
"""

import logging
import os
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
VERSION = "1"
_FAILED: set[Path] = set()
NOTO = "/usr/share/fonts/opentype/noto"

# role -> (source file, index in the collection, family, PostScript name, weight)
CUTS = {
    "title": (f"{NOTO}/NotoSerifCJK-Bold.ttc", 2, "Zhiji Serif GB", "ZhijiSerifGB-Bold", 700),
    "song": (f"{NOTO}/NotoSerifCJK-Regular.ttc", 2, "Zhiji Serif GB", "ZhijiSerifGB-Regular", 400),
    "hei": (f"{NOTO}/NotoSansCJK-Regular.ttc", 2, "Zhiji Sans GB", "ZhijiSansGB-Regular", 400),
}
# role -> (source, index, family, PostScript name, weight): the whole face with its line
# metrics (hhea) set to FandolFang's (0.88/-0.12 em, the Kai faces' too, and its 0.2 em
# line gap), listed right behind the body and Kai faces for the characters they lack
# (堃 喆 赟 …). Noto's hhea (1.151/-0.286 em) made WeasyPrint declare a deeper /Descent
# for it, so readers (pdfplumber) placed its characters' boxes 2.65 pt below their
# neighbours' although every glyph stands on the same baseline. Tables are copied, not
# rebuilt: a second or two.
#
# "kai_rare": the same for the 楷体 role (level-2 headings, the 签发人's name): AR PL UKai
# CN, Arphic's Unicode Kai (Debian fonts-arphic-ukai; the sibling of AR PL KaitiM GB, which
# has GB 2312 only), so a rare character in a Kai name stays Kai instead of turning Song.
# The Kai role lists it before the Song fallback (rendering.configured_fonts).
FALLBACKS = {
    "rare": (
        f"{NOTO}/NotoSerifCJK-Regular.ttc",
        2,
        "Zhiji Serif Rare",
        "ZhijiSerifRare-Regular",
        400,
    ),
    "kai_rare": (
        "/usr/share/fonts/truetype/arphic/ukai.ttc",
        0,  # AR PL UKai CN: simplified forms first
        "Zhiji Kai Rare",
        "ZhijiKaiRare-Regular",
        400,
    ),
}
TRUETYPE_FALLBACKS = {"kai_rare"}  # glyf outlines: named .ttf
EXTRA = "〔〕—–…·“”‘’《》〈〉「」『』【】（）：；，。、！？．％＋－×÷＝～①②③④⑤⑥⑦⑧⑨⑩"


def charset() -> set[int]:
    chars = set(range(0x20, 0x7F)) | {ord(c) for c in EXTRA}
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([b1, b2]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def cache_dir() -> Path:
    env = os.environ.get("DOCS_FONT_CACHE")
    if env:
        return Path(env)
    try:
        from django.conf import settings

        return Path(settings.VAR_DIR) / "fonts"
    except Exception:  # noqa: BLE001 - outside Django
        return Path(__file__).resolve().parent.parent / "var" / "fonts"


def _renumber_cids(font) -> None:
    """Rename glyphs so that glyph i is cid i (CID = GID)."""
    order = font.getGlyphOrder()
    new = [".notdef"] + [f"cid{i:05d}" for i in range(1, len(order))]
    rename = dict(zip(order, new, strict=True))
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    charstrings = top.CharStrings
    charstrings.charStrings = {rename[k]: v for k, v in charstrings.charStrings.items()}
    top.charset = new
    font["hmtx"].metrics = {rename[k]: v for k, v in font["hmtx"].metrics.items()}
    for table in font["cmap"].tables:
        table.cmap = {u: rename[g] for u, g in table.cmap.items()}
    font.setGlyphOrder(new)


def build_cut(source: str, index: int, family: str, ps_name: str, weight: int) -> bytes:
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index, recalcTimestamp=False)
    options = subset.Options(
        retain_gids=False,
        desubroutinize=True,
        hinting=False,
        notdef_outline=True,
        name_IDs=["*"],
        layout_features=[],
    )
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "SVG "]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=charset())
    subsetter.subset(font)
    if not hasattr(font["CFF "].cff.topDictIndex[0], "ROS"):
        raise ValueError(f"{source} is not CID-keyed")
    _renumber_cids(font)
    style = "Bold" if weight >= 700 else "Regular"
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 6, 16, 17, 3):
            names.removeNames(nameID=record.nameID)
    names.setName(family, 1, 3, 1, 0x409)
    names.setName(style, 2, 3, 1, 0x409)
    names.setName(f"{family} {style}", 4, 3, 1, 0x409)
    names.setName(ps_name, 6, 3, 1, 0x409)
    names.setName(f"{ps_name};{VERSION}", 3, 3, 1, 0x409)
    font["CFF "].cff.fontNames = [ps_name]
    out = io.BytesIO()
    font.save(out)
    # check the promise: CID = GID for every glyph
    check = TTFont(io.BytesIO(out.getvalue()))
    assert all(n == ".notdef" or n == f"cid{i:05d}" for i, n in enumerate(check.getGlyphOrder()))
    return out.getvalue()


def build_fallback(source: str, index: int, family: str, ps_name: str) -> bytes:
    import io

    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    hhea, os2 = font["hhea"], font["OS/2"]
    upem = font["head"].unitsPerEm
    # FandolFang's hhea: 880 / -120 / 200 per 1000 (Pango counts the line gap in a run's
    # height); both sources' typo metrics are that already (UKai: 900 / -124 per 1024)
    gap = round(0.2 * upem)
    hhea.ascent, hhea.descent, hhea.lineGap = os2.sTypoAscender, os2.sTypoDescender, gap
    os2.sTypoLineGap = gap
    os2.usWinAscent, os2.usWinDescent = round(0.978 * upem), round(0.272 * upem)
    # Noto's BASE table (its ideographic baselines) made Pango set a line holding a
    # fallback character 0.58 pt lower; horizontal text needs none of these
    for tag in ("BASE", "vhea", "vmtx", "VORG"):
        if tag in font:
            del font[tag]
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17):
            names.removeNames(nameID=record.nameID)
    names.setName(family, 1, 3, 1, 0x409)
    names.setName("Regular", 2, 3, 1, 0x409)
    names.setName(f"{family} Regular", 4, 3, 1, 0x409)
    names.setName(ps_name, 6, 3, 1, 0x409)
    names.setName(f"{ps_name};{VERSION}", 3, 3, 1, 0x409)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def fallback_path(role: str) -> Path:
    ps_name = FALLBACKS[role][3]
    suffix = ".ttf" if role in TRUETYPE_FALLBACKS else ".otf"
    return cache_dir() / f"{ps_name}-v{VERSION}{suffix}"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(path.parent, os.W_OK):
        raise PermissionError(f"{path.parent} is not writable")
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        tmp.write(data)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, path)  # atomic: two workers may build at once


def ensure_fallbacks(*, build: bool = True) -> dict[str, tuple[str, int, Path]]:
    """role -> (family, weight, file) of the fallback faces that exist (built if missing)."""
    found = {}
    for role, (source, index, family, ps_name, weight) in FALLBACKS.items():
        path = fallback_path(role)
        if not path.exists() and build and Path(source).exists() and path not in _FAILED:
            try:
                _write(path, build_fallback(source, index, family, ps_name))
                log.info("built %s", path)
            except Exception:  # noqa: BLE001 - the full face still works, its boxes lower
                _FAILED.add(path)
                log.warning("could not build the fallback face from %s", source, exc_info=True)
        if path.exists():
            found[role] = (family, weight, path)
    return found


def cut_path(role: str) -> Path:
    _source, _index, _family, ps_name, _weight = CUTS[role]
    return cache_dir() / f"{ps_name}-v{VERSION}.otf"


def ensure_cuts(*, build: bool = True) -> dict[str, tuple[str, int, Path]]:
    """role -> (family, weight, file) for the cuts that exist (built if missing and ``build``)."""
    found = {}
    for role, (source, index, family, ps_name, weight) in CUTS.items():
        path = cut_path(role)
        if not path.exists() and build and Path(source).exists() and path not in _FAILED:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not os.access(path.parent, os.W_OK):
                    raise PermissionError(f"{path.parent} is not writable")
                data = build_cut(source, index, family, ps_name, weight)
                with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
                    tmp.write(data)
                os.chmod(tmp.name, 0o644)
                os.replace(tmp.name, path)  # atomic: two workers may build at once
                log.info("built %s", path)
            except Exception:  # noqa: BLE001 - the full faces still work, only larger
                _FAILED.add(path)  # not again in this process
                log.warning("could not build the GB 2312 cut of %s", source, exc_info=True)
        if path.exists():
            found[role] = (family, weight, path)
    return found


if __name__ == "__main__":
    built = ensure_cuts()
    fallbacks = ensure_fallbacks()
    for role, (_family, _weight, path) in {**built, **fallbacks}.items():
        print(f"{role}: {path}")
    sys.exit(0 if len(built) == len(CUTS) and len(fallbacks) == len(FALLBACKS) else 1)
