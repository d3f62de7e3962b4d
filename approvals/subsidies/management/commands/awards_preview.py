"""manage.py awards_preview FILE.xlsx [--json]: what the award rules give every row of a
competition results sheet (row 8), or why a row is invalid. Nothing is saved."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflows.exceptions import RuleViolation

from ...awards_import import preview


class Command(BaseCommand):
    help = "Preview a competition results sheet (.xlsx): title and amount per row, or the error."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print the rows as JSON")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            rows = preview(content)
        except RuleViolation as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
            return
        for r in rows:
            outcome = r.error or (f"{r.title} {r.amount:.2f}" if r.title else "不获称号和奖励 0.00")
            self.stdout.write(
                f"{r.row}\t{r.name}\t{r.id_number_masked}\t{r.competition}\t{r.competition_class}"
                f"\t{r.place}\t{outcome}"
            )
        invalid = sum(1 for r in rows if r.error)
        self.stdout.write(f"{len(rows)} 行，无效 {invalid} 行")
