"""Reading a competition's results sheet (.xlsx) into a preview: for every row the title and
amount row 8 gives it, that it earns nothing, or why it is invalid. Nothing is saved here."""

import io
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from workflows.exceptions import RuleViolation

from .idnumbers import id_number_problem, mask, normalize
from .models import CompetitionClass
from .rules import award_for

COLUMNS = ("序号", "姓名", "证件号码", "工作单位", "竞赛名称", "竞赛类别", "名次")
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
CLASSES = tuple(c.value for c in CompetitionClass)


@dataclass
class PreviewRow:
    row: int
    name: str
    id_number: str
    unit: str
    competition: str
    competition_class: str
    place: int | str | None
    title: str | None
    amount: Decimal
    error: str | None

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number)

    def as_json(self) -> dict:
        """The shape ``manage.py awards_preview --json`` prints (no full ID number)."""
        return {
            "row": self.row,
            "name": self.name,
            "id_number_masked": self.id_number_masked,
            "unit": self.unit,
            "competition": self.competition,
            "class": self.competition_class,
            "place": self.place,
            "title": self.title,
            "amount": f"{self.amount:.2f}",
            "error": self.error,
        }

    def as_stored(self) -> dict:
        data = asdict(self)
        data["amount"] = f"{self.amount:.2f}"
        return data


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _not_whole(text: str) -> str:
    return _("「名次」%(place)s 不是整数") % {"place": text}


def _place(value) -> tuple[int | str | None, str | None]:
    """(place, problem): a place is a whole number of 1 or more."""
    if value is None or _text(value) == "":
        return None, _("「名次」为空")
    if isinstance(value, bool):
        return _text(value), _("「名次」应为整数")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return _text(value), _not_whole(_text(value))
        number = int(value)
    else:
        text = _text(value)
        try:
            number = int(text)
        except ValueError:
            return text, _not_whole(text)
    if number < 1:
        return number, _("「名次」%(place)s 无效，名次应为 1 或以上的整数") % {"place": number}
    return number, None


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """(Excel row number, column → cell value) of every non-empty row under the header."""
    from openpyxl import load_workbook

    if len(content) > MAX_BYTES:
        raise RuleViolation(_("「竞赛结果表」超过 5 MB，请拆分后导入。"), field="sheet")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same answer to the user
        raise RuleViolation(
            _("「竞赛结果表」不是有效的 .xlsx 文件，请用 Excel 或 WPS 另存为 .xlsx 后再导入。"),
            field="sheet",
        ) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = [_text(h) for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise RuleViolation(
            _("「竞赛结果表」第 1 行表头缺少列：%(cols)s（应为 %(all)s）。")
            % {"cols": "、".join(missing), "all": "、".join(COLUMNS)},
            field="sheet",
        )
    index = {c: names.index(c) for c in COLUMNS}
    found = []
    for number, values in enumerate(rows, start=2):
        values = tuple(values or ())
        cells = {c: values[i] if i < len(values) else None for c, i in index.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        found.append((number, cells))
        if len(found) > MAX_ROWS:
            raise RuleViolation(
                _("「竞赛结果表」超过 %(n)s 行，请拆分后导入。") % {"n": MAX_ROWS}, field="sheet"
            )
    workbook.close()
    return found


def preview(content: bytes) -> list[PreviewRow]:
    result = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in read_rows(content):
        problems = []
        name = _text(cells["姓名"])
        if not name:
            problems.append(_("「姓名」为空"))
        raw_id = cells["证件号码"]
        id_number = normalize(_text(raw_id))
        id_problem = id_number_problem(id_number)
        if (
            isinstance(raw_id, (int, float))
            and not isinstance(raw_id, bool)
            and len(id_number) > 15
        ):
            # a number cell keeps 15 significant digits: the last ones are already lost
            id_problem = _(
                "「证件号码」是数字格式，Excel 只保留 15 位有效数字，末几位已丢失，"
                "请将该列设为文本后重新填写"
            )
        if id_problem:
            problems.append(id_problem)
        competition = _text(cells["竞赛名称"])
        if not competition:
            problems.append(_("「竞赛名称」为空"))
        klass = _text(cells["竞赛类别"])
        if klass not in CLASSES:
            problems.append(
                _("「竞赛类别」“%(klass)s”不是一类、二类或三类") % {"klass": klass}
                if klass
                else _("「竞赛类别」为空，应为一类、二类或三类")
            )
        place, place_problem = _place(cells["名次"])
        if place_problem:
            problems.append(place_problem)
        if competition and not id_problem:
            key = (competition, id_number)
            if key in seen:
                problems.append(
                    _("同一人在同一竞赛中重复出现（与第 %(row)s 行证件号码相同）")
                    % {"row": seen[key]}
                )
            else:
                seen[key] = number
        if problems:
            title, amount = None, Decimal("0.00")
        else:
            title, amount = award_for(klass, place)
        result.append(
            PreviewRow(
                row=number,
                name=name,
                id_number=id_number,
                unit=_text(cells["工作单位"]),
                competition=competition,
                competition_class=klass,
                place=place,
                title=title,
                amount=amount,
                error=pgettext("punctuation", "；").join(problems) or None,
            )
        )
    return result
