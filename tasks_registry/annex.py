"""Parse the annex of 台政办发〔2022〕11号 (重点任务清单) from the plan's own text.

The text is the plan as extracted from its PDF (``data/plan_taizhengbanfa_2022_11.txt``):
table cells come out as wrapped lines and paragraphs. Each row starts with its
number (1..17, in order); the 主要举措 cell appears only in the first row of
each measure, as a paragraph of its own before the content; the 责任单位 cell
is the tail of the row, made of unit names (市…局 / 市…委) and school group
names, separated by 、 and ，. Whitespace inside cells is a wrapping artefact
and is removed ("给予 3万元" → "给予3万元").
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

PLAN_TEXT_PATH = Path(__file__).parent / "data" / "plan_taizhengbanfa_2022_11.txt"

SCHOOL_GROUP_NAMES = ("职业院校", "技工院校", "高职院校", "技师学院")
_UNIT_TOKEN = re.compile(
    r"(市[\u4e00-\u9fff]{1,8}?(?:局|委)|" + "|".join(SCHOOL_GROUP_NAMES) + r")$"
)
_HEADER = re.compile(r"^序号\s+主要举措\s+主要内容\s+责任单位$")
_ROW_START = re.compile(r"^(\d{1,2})(?:\s+(.*))?$")


@dataclass
class AnnexRow:
    number: int
    measure: str
    content: str
    responsible: str  # the 责任单位 cell, e.g. "市教育局、市人力社保局，职业院校、技工院校"
    bureaus: list[str] = field(default_factory=list)  # first leads, others co-operate
    school_groups: list[str] = field(default_factory=list)

    @property
    def lead(self) -> str:
        return self.bureaus[0]

    @property
    def co_bureaus(self) -> list[str]:
        return self.bureaus[1:]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _split_units_suffix(text: str) -> tuple[str, str]:
    """Split "content责任单位" into (content, units) by peeling unit names off the end."""
    end = len(text)
    pos = end
    while True:
        match = _UNIT_TOKEN.search(text[:pos])
        if not match:
            break
        pos = match.start()
        if pos > 0 and text[pos - 1] in "、，":
            pos -= 1
            continue
        break
    units = text[pos:end].lstrip("、，")
    return text[: end - len(units)], units


def _annex_lines(plan_text: str) -> list[str]:
    lines = [line.strip().lstrip("\f").strip() for line in plan_text.splitlines()]
    try:
        start = lines.index("职技融通改革实施方案重点任务清单") + 1
    except ValueError:
        raise ValueError("the plan text has no annex (重点任务清单)") from None
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("抄送："))
    return [line for line in lines[start:end] if not _HEADER.match(line)]


def parse_annex(plan_text: str) -> list[AnnexRow]:
    rows: list[list[list[str]]] = []  # row -> paragraphs -> lines
    numbers: list[int] = []
    for line in _annex_lines(plan_text):
        match = _ROW_START.match(line)
        if match and int(match.group(1)) == len(numbers) + 1:
            numbers.append(int(match.group(1)))
            rows.append([[match.group(2)]] if match.group(2) else [])
            continue
        if not rows:
            continue
        if not line:
            if rows[-1] and rows[-1][-1]:
                rows[-1].append([])
            continue
        if not rows[-1]:
            rows[-1].append([])
        rows[-1][-1].append(line)

    result: list[AnnexRow] = []
    measure = ""
    for number, paragraphs in zip(numbers, rows, strict=True):
        texts = [_squash("".join(p)) for p in paragraphs if p]
        # peel the 责任单位 off the end, paragraph by paragraph
        units_parts: list[str] = []
        while texts:
            head, units = _split_units_suffix(texts[-1])
            if not units:
                break
            units_parts.insert(0, units)
            if head:
                texts[-1] = head
                break
            texts.pop()
        responsible = "".join(units_parts)
        if len(texts) > 1:  # a 主要举措 cell starts this row
            measure = texts[0]
            texts = texts[1:]
        bureau_part, _sep, group_part = responsible.partition("，")
        result.append(
            AnnexRow(
                number=number,
                measure=measure,
                content="".join(texts),
                responsible=responsible,
                bureaus=[b for b in bureau_part.split("、") if b],
                school_groups=[g for g in group_part.split("、") if g],
            )
        )
    if [r.number for r in result] != list(range(1, len(result) + 1)) or not result:
        raise ValueError("annex rows are not numbered 1..N")
    return result


def load_plan_annex() -> list[AnnexRow]:
    return parse_annex(PLAN_TEXT_PATH.read_text(encoding="utf-8"))
