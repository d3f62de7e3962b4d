"""台政办发〔2022〕11号 as a document snapshot, from the plan's own text.

The text is the PDF's extraction (tasks_registry/data/…): every printed line is
followed by a blank line, so paragraphs are rebuilt from the lines: a paragraph
ends at a line ending in 。 or ： (or a heading line such as "一、指导思想"); page
numbers and form feeds are dropped; spaces from the extraction are removed.
"""

import re

from docs_gen.text import heading_level, paragraph_block

from .annex import PLAN_TEXT_PATH, load_plan_annex

PLAN_NUMBER = "台政办发〔2022〕11号"
PLAN_TITLE = "台州市人民政府办公室关于印发\n台州市职技融通改革实施方案的通知"
ENCLOSURE_TITLE = "台州市职技融通改革实施方案"
ANNEX_TITLE = "职技融通改革实施方案重点任务清单"
_PAGE_NO = re.compile(r"^—\s*\d+\s*—$")


def _squash(line: str) -> str:
    return re.sub(r"\s+", "", line)


def plan_paragraphs(text: str) -> tuple[str, list[str]]:
    """(the notice's sentence, the plan's paragraphs up to its 附件 line)."""
    lines = [_squash(x.replace("\f", "")) for x in text.splitlines()]
    lines = [x for x in lines if x and not _PAGE_NO.match(x)]
    start = lines.index("各县（市、区）人民政府，市政府直属各单位：") + 1
    notice = []
    i = start
    while not lines[i].startswith("台州市人民政府办公室"):
        notice.append(lines[i])
        i += 1
    body_start = lines.index(ENCLOSURE_TITLE) + 1
    body_end = next(j for j in range(body_start, len(lines)) if lines[j].startswith("附件："))
    paragraphs: list[str] = []
    current = ""
    for line in lines[body_start:body_end]:
        if heading_level(line) is not None and current:
            paragraphs.append(current)
            current = ""
        current += line
        if line.endswith(("。", "：")) or (heading_level(line) == 1 and len(line) < 20):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "".join(notice), paragraphs


def plan_snapshot(*, mark_name: str = "台州市人民政府办公室", verification=None) -> dict:
    text = PLAN_TEXT_PATH.read_text(encoding="utf-8")
    notice, paragraphs = plan_paragraphs(text)
    rows = load_plan_annex()
    table_rows = []
    last_measure = None
    for row in rows:
        measure = row.measure if row.measure != last_measure else None  # rowspan
        last_measure = row.measure
        table_rows.append([str(row.number), measure, row.content, row.responsible])
    return {
        "mark": f"{mark_name}文件",
        "number": PLAN_NUMBER,
        "signer": "",
        "title": PLAN_TITLE,
        "addressees": ["各县（市、区）人民政府", "市政府直属各单位"],
        "body": [{"type": "paragraph", "text": notice}],
        "enclosures": [
            {"title": ENCLOSURE_TITLE, "body": [paragraph_block(p) for p in paragraphs]}
        ],
        "attachments": [
            {
                "title": ANNEX_TITLE,
                "body": [
                    {
                        "type": "table",
                        "header": ["序号", "主要举措", "主要内容", "责任单位"],
                        "rows": table_rows,
                        "widths": [9, 15, 50, 26],
                    }
                ],
            }
        ],
        "issuer_name": mark_name,
        "date": "2022-04-08",
        "seal": True,
        "note": "此件公开发布",
        "cc": ["市委各部门，市人大常委会、市政协办公室，军分区，市监委，市法院，市检察院"],
        "printer": mark_name,
        "print_date": "2022-04-11",
        "verification": verification,
        "draft": False,
    }


def plan_document_ensure():
    """The plan as an issued document of 台州市人民政府办公室 (idempotent), rendered, so that
    its PDF carries a verification code like any document issued here.

    Its number was given in 2022, outside this system: it is recorded as serial 11 of
    台政办发 2022, which no counter of a later year can reach (numbers run per year).
    """
    from django.db import transaction
    from django.utils import timezone

    from docs_gen import services
    from docs_gen.demo import GOV_OFFICE_CODE, ensure_issuers
    from docs_gen.models import DocumentKind, DocumentStatus, OfficialDocument, RenderStatus
    from workflows.services import audit_record

    issuer = ensure_issuers()[GOV_OFFICE_CODE]
    with transaction.atomic():
        document = (
            OfficialDocument.objects.select_for_update()
            .filter(issuer=issuer, series="发", year=2022, serial=11)
            .first()
        )
        if document is None:
            code = services._new_code()
            snapshot = plan_snapshot(
                mark_name=issuer.mark_name,
                verification={
                    "code": f"{code[:4]}-{code[4:]}",
                    "url": services.verify_url(code),
                },
            )
            document = OfficialDocument.objects.create(
                issuer=issuer,
                kind=DocumentKind.NOTICE,
                series="发",
                year=2022,
                serial=11,
                number=PLAN_NUMBER,
                title=PLAN_TITLE.replace("\n", ""),
                addressees=snapshot["addressees"],
                body=snapshot["body"],
                attachments=snapshot["attachments"],
                cc=snapshot["cc"],
                note=snapshot["note"],
                status=DocumentStatus.ISSUED,
                issued_on="2022-04-08",
                print_date="2022-04-11",
                issued_at=timezone.now(),
                verification_code=code,
                render_status=RenderStatus.QUEUED,
                snapshot=snapshot,
            )
            audit_record(
                actor=None,
                action="docs.register",
                obj=document,
                unit=issuer.unit,
                note="台政办发〔2022〕11号：系统外印发，登记其编号与全文",
            )
    if document.render_status != RenderStatus.DONE:
        document = services.document_render(document_id=document.pk)
    return document
