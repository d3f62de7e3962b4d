"""Exports of the supervision data: the ledger (台账, .xlsx) and the progress bulletin (通报).

The bulletin is built as docs_gen's body structure — a list of blocks
``{"type": "paragraph", "text"}``, ``{"type": "heading", "level", "text"}``,
``{"type": "table", "header", "rows"}`` — so that it can be issued as an official
document (``docs_gen.services.document_create``) once docs_gen has landed; until then
it is previewed as HTML.
"""

from datetime import date
from io import BytesIO

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from workflows.people import display_name

from .models import Branch, BranchState, SupervisionState
from .selectors import TaskStatus, branch_statuses, supervision_overview, unit_scores
from .status import LIGHT_LABELS, local_today

_FILLS = {
    "green": PatternFill("solid", fgColor="C8E6C9"),
    "amber": PatternFill("solid", fgColor="FFE0B2"),
    "red": PatternFill("solid", fgColor="FFCDD2"),
}


def _light_label(light: str) -> str:
    # The ledger is an official record: Chinese whatever the UI language.
    with translation.override("zh-hans"):
        return str(LIGHT_LABELS.get(light, "未下达"))


def _header(ws, titles: list[str], widths: list[int]) -> None:
    ws.append(titles)
    for cell, width in zip(ws[1], widths, strict=True):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def ledger_xlsx(*, today: date | None = None) -> bytes:
    """Two sheets: 任务 (one row per key task) and 分支 (one row per unit's branch)."""
    today = today or local_today()
    overview = supervision_overview(today=today)
    wb = Workbook()
    ws = wb.active
    ws.title = "任务"
    _header(
        ws,
        [
            "序号",
            "主要举措",
            "主要内容",
            "牵头单位",
            "配合单位",
            "状态",
            "红黄绿灯",
            "平均进度(%)",
            "完成时限",
            "责任单位数",
            "已完成",
            "逾期单位数",
        ],
        [6, 18, 60, 14, 18, 14, 10, 10, 12, 10, 8, 10],
    )
    for s in overview:
        sup = s.supervision
        ws.append(
            [
                s.task.number,
                s.task.measure,
                s.task.content,
                s.task.lead_unit.name,
                "、".join(u.name for u in s.task.co_units),
                sup.get_state_display() if sup else "未下达",
                _light_label(s.light),
                s.progress if sup else None,
                sup.deadline if sup else None,
                s.branch_count,
                s.done_count,
                s.overdue_count,
            ]
        )
        if s.light:
            ws.cell(row=ws.max_row, column=7).fill = _FILLS[s.light]
    for row in ws.iter_rows(min_row=2, min_col=9, max_col=9):
        row[0].number_format = "yyyy-mm-dd"

    wb2 = wb.create_sheet("分支")
    _header(
        wb2,
        [
            "任务序号",
            "责任单位",
            "角色",
            "状态",
            "红黄绿灯",
            "最新进度(%)",
            "办理时限",
            "剩余天数",
            "签收时间",
            "最近报送",
            "报送次数",
            "按期报送周期/应报",
            "退回次数",
            "经办人",
        ],
        [8, 26, 10, 10, 10, 10, 12, 9, 18, 18, 9, 14, 8, 10],
    )
    lights = {b.pk: b for b in branch_statuses(today=today)}
    branches = Branch.objects.select_related("supervision__task", "unit", "assignee").order_by(
        "supervision__task__number", "position"
    )
    for b in branches.iterator(2000):
        st = lights.get(b.pk)
        wb2.append(
            [
                b.supervision.task.number,
                b.unit.name,
                b.get_role_display(),
                b.get_state_display(),
                _light_label(st.light) if st else "",
                b.percent,
                b.due,
                st.days_left if st and b.state != BranchState.DONE else None,
                _naive(b.acknowledged_at),
                _naive(b.last_report_at),
                b.report_count,
                f"{st.cycles_on_time}/{st.cycles_due}" if st else "",
                b.return_count,
                display_name(b.assignee),
            ]
        )
        if st:
            wb2.cell(row=wb2.max_row, column=5).fill = _FILLS[st.light]
    for row in wb2.iter_rows(min_row=2, min_col=7, max_col=10):
        row[0].number_format = "yyyy-mm-dd"
        row[2].number_format = row[3].number_format = "yyyy-mm-dd hh:mm"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def scores_xlsx(scores) -> bytes:
    """考核得分表: one row per unit, ranked as on the page, numbers as numbers."""
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = "单位考核"
        _header(
            ws,
            [
                "排名",
                "单位",
                "单位类别",
                "得分",
                "按期报送率(%)",
                "按期报送周期",
                "应报送周期",
                "漏报周期",
                "事项数",
                "已完成",
                "逾期",
                "超时完成",
                "被退回",
            ],
            [6, 30, 10, 8, 12, 12, 10, 9, 8, 8, 6, 9, 8],
        )
        for rank, sc in enumerate(scores, start=1):
            ws.append(
                [
                    rank,
                    sc.unit.name,
                    str(sc.unit.get_kind_display()),
                    sc.score,
                    sc.on_time_rate,  # Decimal, one place: the sheet keeps it exact
                    sc.cycles_on_time,
                    sc.cycles_due,
                    sc.missed,
                    sc.branches,
                    sc.done,
                    sc.overdue,
                    sc.done_late,
                    sc.returns,
                ]
            )
            ws.cell(row=ws.max_row, column=5).number_format = "0.0"
        ws.append([])
        ws.append(
            [
                "说明",
                "得分 = 100 − 10×（逾期事项 + 超时完成事项）− 5×被退回次数 − 2×漏报周期，最低0分。",
            ]
        )
        out = BytesIO()
        wb.save(out)
        return out.getvalue()


def _naive(value):
    from django.utils import timezone

    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _task_line(s: TaskStatus) -> list[str]:
    sup = s.supervision
    return [
        str(s.task.number),
        s.task.content,
        s.task.lead_unit.name,
        _light_label(s.light),
        f"{s.progress}%",
        f"{sup.deadline:%Y-%m-%d}" if sup else "—",
        str(s.overdue_count),
    ]


def bulletin_blocks(*, today: date | None = None) -> dict:
    """The progress bulletin (通报) as {"title", "blocks"} in docs_gen's body structure."""
    today = today or local_today()
    overview = supervision_overview(today=today)
    dispatched = [s for s in overview if s.supervision]
    counts = {k: sum(1 for s in dispatched if s.light == k) for k in ("green", "amber", "red")}
    closed = sum(1 for s in dispatched if s.supervision.state == SupervisionState.CLOSED)
    overdue_units = sum(s.overdue_count for s in dispatched)
    blocks: list[dict] = [
        {
            "type": "paragraph",
            "text": (
                f"根据《台州市职技融通改革实施方案》（台政办发〔2022〕11号）重点任务清单，"
                f"现将截至{today.year}年{today.month}月{today.day}日重点任务推进情况通报如下。"
            ),
        },
        {"type": "heading", "level": 1, "text": "一、总体情况"},
        {
            "type": "paragraph",
            "text": (
                f"17项重点任务已下达{len(dispatched)}项，其中已办结{closed}项；"
                f"正常推进（绿灯）{counts['green']}项，临期或进度滞后（黄灯）{counts['amber']}项，"
                f"逾期（红灯）{counts['red']}项；逾期未完成的责任单位事项共{overdue_units}个。"
            ),
        },
        {"type": "heading", "level": 1, "text": "二、各项任务推进情况"},
    ]
    measure = None
    for s in overview:
        if s.task.measure != measure:
            measure = s.task.measure
            blocks.append(
                {
                    "type": "heading",
                    "level": 2,
                    "text": f"（{_cn(s.task.measure_number)}）{measure}",
                }
            )
            blocks.append(
                {
                    "type": "table",
                    "header": ["序号", "任务", "牵头单位", "状态", "进度", "时限", "逾期单位数"],
                    "rows": [_task_line(x) for x in overview if x.task.measure == measure],
                    # the whole task name wraps; number, state, progress and date do not
                    "widths": [8, 33, 14, 14, 8, 16, 7],
                    "nowrap": [0, 3, 4, 5],
                }
            )
    blocks.append({"type": "heading", "level": 1, "text": "三、需要关注的问题"})
    red = [s for s in dispatched if s.light == "red"]
    if red:
        for s in red:
            blocks.append(
                {
                    "type": "paragraph",
                    "text": f"重点任务{s.task.number}（{s.task.content}）已亮红灯，"
                    f"{s.overdue_count}个责任单位逾期未完成，请{s.task.lead_unit.name}督促相关单位抓紧推进。",
                }
            )
    else:
        blocks.append({"type": "paragraph", "text": "目前无逾期任务。"})
    scores = unit_scores(today=today)
    if scores:
        blocks.append({"type": "heading", "level": 1, "text": "四、责任单位考核情况"})
        blocks.append(
            {
                "type": "table",
                "header": ["排名", "单位", "得分", "按期报送率", "逾期事项", "退回次数"],
                "rows": [
                    [
                        str(i),
                        sc.unit.name,
                        str(sc.score),
                        f"{sc.on_time_rate}%" if sc.on_time_rate is not None else "—",
                        str(sc.overdue + sc.done_late),
                        str(sc.returns),
                    ]
                    for i, sc in enumerate(scores[:10], start=1)
                ],
            }
        )
        low = [sc for sc in scores if sc.score < 80]
        if low:
            blocks.append(
                {
                    "type": "paragraph",
                    "text": "得分低于80分的单位："
                    + "、".join(sc.unit.name for sc in low[:20])
                    + ("等" if len(low) > 20 else "")
                    + "，请对照问题认真整改。",
                }
            )
    blocks.append(
        {
            "type": "paragraph",
            "text": "请各责任单位对照任务要求，按期报送进度，确保各项任务按时保质完成。",
        }
    )
    return {
        "title": f"关于职技融通改革重点任务推进情况的通报（{today.year}年{today.month}月）",
        "blocks": blocks,
    }


def _cn(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)
