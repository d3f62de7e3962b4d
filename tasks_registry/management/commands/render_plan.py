from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from docs_gen.rendering import render_html, render_pdf
from tasks_registry.plan import plan_document_ensure, plan_snapshot


class Command(BaseCommand):
    help = (
        "Render the plan itself, 台政办发〔2022〕11号, with its full text and the annex of 17 "
        "tasks, to a PDF (GB/T 9704), through the documents' pipeline. With a database it is "
        "registered as an issued document, so the PDF carries a verification code."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument("--html", help="also write the HTML here")
        parser.add_argument(
            "--no-register", action="store_true", help="render only; no database, no code"
        )

    def handle(self, *args, output, html=None, no_register=False, **options):
        snapshot = None
        pdf = None
        if not no_register:
            try:
                document = plan_document_ensure()
            except DatabaseError:  # no migrated database: the plan needs none
                self.stderr.write("no database yet (run migrate): rendering without a code")
            else:
                if document.render_status != "done":
                    raise CommandError(f"rendering failed: {document.render_error}")
                snapshot = document.snapshot
                with document.pdf.open("rb") as f:
                    pdf = f.read()
                self.stdout.write(
                    f"verification: /verify/{document.verification_code}/  sha256 {document.sha256}"
                )
        if pdf is None:
            snapshot = plan_snapshot()
            pdf = render_pdf(snapshot)
        Path(output).write_bytes(pdf)
        if html:
            Path(html).write_text(render_html(snapshot), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"{output}: {len(pdf)} bytes"))
