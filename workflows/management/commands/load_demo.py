from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from workflows.demo import load_demo_units_and_people


class Command(BaseCommand):
    help = "Load the plan's units, demo schools and people, the 17 key tasks and demo work. Idempotent."

    def handle(self, *args, **options):
        load_demo_units_and_people()
        for path in settings.DEMO_LOADERS:
            import_string(path)()
            self.stdout.write(f"  {path}")
        self.stdout.write(self.style.SUCCESS("demo data loaded"))
