import json
from itertools import groupby

from django.core.management.base import BaseCommand

from workflows.demo import demo_accounts


class Command(BaseCommand):
    help = "List the demo logins (one line per unit, or JSON with --json)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        rows = demo_accounts()
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for unit, group in groupby(rows, key=lambda r: r["unit"] or "系统管理"):
            names = "  ".join(r["username"] for r in group)
            self.stdout.write(f"    {unit:　<16} {names}")
        if rows:
            self.stdout.write(f"\n    password for every account: {rows[0]['password']}")
