import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from docs_gen import signing
from docs_gen.models import DocumentStatus, OfficialDocument
from docs_gen.verification import find_document, verification_report


class Command(BaseCommand):
    help = (
        "Check a PDF's signatures and its document's registry state, as the /verify/ page "
        "does; print the report as JSON. Exit status 0 only when it is genuine."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF to check")
        parser.add_argument(
            "--code",
            help="the verification code printed on the document (default: found by the file's "
            "SHA-256, or by the code its signature names)",
        )

    def handle(self, *args, file, code=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        data = path.read_bytes()
        if code:
            document = (
                OfficialDocument.objects.select_related("issuer__unit")
                .filter(
                    verification_code=code.replace("-", "").upper(),
                    status__in=[DocumentStatus.ISSUED, DocumentStatus.REVOKED],
                )
                .first()
            )
            if document is None:
                raise CommandError(f"{code}: no issued document has this verification code")
        else:
            document = find_document(data, signing.verify_pdf(data))
        report = verification_report(data, document)
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if not report["genuine"]:
            raise SystemExit(1)
