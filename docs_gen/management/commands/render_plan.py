from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from docs_gen.demo import GOV_OFFICE_CODE, ensure_issuers
from docs_gen.plan import plan_snapshot
from docs_gen.rendering import render_pdf


class Command(BaseCommand):
    help = "Render the plan itself, 台政办发〔2022〕11号, with its annex, to a PDF (GB/T 9704)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument("--html", help="also write the HTML here")

    def handle(self, *args, output, html=None, **options):
        try:
            mark_name = ensure_issuers()[GOV_OFFICE_CODE].mark_name
        except DatabaseError:  # no migrated database: the plan needs none
            self.stderr.write("no database yet (run migrate); using the plan's own issuer name")
            mark_name = "台州市人民政府办公室"
        snapshot = plan_snapshot(mark_name=mark_name)
        pdf = render_pdf(snapshot)
        Path(output).write_bytes(pdf)
        if html:
            from docs_gen.rendering import render_html

            Path(html).write_text(render_html(snapshot), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"{output}: {len(pdf)} bytes"))
