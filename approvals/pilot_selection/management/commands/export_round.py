"""manage.py export_round --list | export_round ROUND_ID --json (pilot selection, annex task 6)."""

import json

from django.core.management.base import BaseCommand, CommandError

from approvals.common.models import Round

from ...export import round_data
from ...rules import CODE
from ...services import round_stage


class Command(BaseCommand):
    help = (
        "List the pilot selection rounds, or print one round (scores, ranking, decision) as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", nargs="?", type=int)
        parser.add_argument("--list", action="store_true", help="id, year, name, state; one a line")
        parser.add_argument("--json", action="store_true", help="the round as JSON")

    def handle(self, *args, round_id=None, **options):
        rounds = Round.objects.filter(procedure=CODE).order_by("id")
        if options["list"]:
            for r in rounds:
                self.stdout.write(f"{r.pk}\t{r.year}\t{r.name}\t{round_stage(r)}")
            return
        if round_id is None or not options["json"]:
            raise CommandError("give --list, or ROUND_ID --json")
        round_ = rounds.filter(pk=round_id).first()
        if round_ is None:
            raise CommandError(f"no pilot selection round {round_id}")
        self.stdout.write(_dumps(round_data(round_)))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
