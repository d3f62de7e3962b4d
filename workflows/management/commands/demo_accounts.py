import json

from django.core.management.base import BaseCommand

from workflows.demo import demo_accounts


class Command(BaseCommand):
    help = "List the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        rows = demo_accounts()
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            self.stdout.write(f"{row['username']:<22} {row['unit']:<28} {row['role']}")
        self.stdout.write(f"password for every account: {rows[0]['password'] if rows else ''}")
