"""Spreadsheets (.xlsx) of the approvals: the application list as filtered on the page, and
``table_workbook`` for a procedure's own result sheets (a panel's votes, …)."""

from io import BytesIO

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font

from .registry import procedure_for


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def applications_workbook(applications) -> bytes:
    with translation.override("zh-hans"):
        book = Workbook()
        sheet = book.active
        sheet.title = "申请"
        head = [
            "标题",
            "事项",
            "申请单位",
            "申请人",
            "状态",
            "当前环节",
            "办理单位",
            "办理时限",
            "报送时间",
            "办结时间",
        ]
        sheet.append(head)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for app in applications:
            procedure = procedure_for(app)
            sheet.append(
                [
                    app.title,
                    str(procedure.title),
                    app.applicant_unit.name,
                    procedure.applicant.name_of(app) if app.applicant_person_id else "",
                    app.get_status_display(),
                    str(app.current_step_label),
                    app.acting_unit.name if app.acting_unit_id else "",
                    app.step_due.isoformat() if app.step_due else "",
                    _when(app.submitted_at),
                    _when(app.decided_at),
                ]
            )
        for column, width in zip(
            "ABCDEFGHIJ", (48, 14, 24, 10, 10, 16, 16, 12, 17, 17), strict=True
        ):
            sheet.column_dimensions[column].width = width
        out = BytesIO()
        book.save(out)
        return out.getvalue()


def table_workbook(title: str, head: list[str], rows, widths: list[int]) -> bytes:
    """One sheet ``title``: a bold, frozen heading row, then ``rows`` as given (numbers stay
    numbers, dates dates); ``widths`` in characters, one per column."""
    with translation.override("zh-hans"):
        book = Workbook()
        sheet = book.active
        sheet.title = title
        sheet.append(head)
        for cell, width in zip(sheet[1], widths, strict=True):
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = width
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(list(row))
        out = BytesIO()
        book.save(out)
        return out.getvalue()
