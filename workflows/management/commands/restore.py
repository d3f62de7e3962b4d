from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflows.backup import restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into the configured database, which "
        "must be empty (a new database), and APP_MEDIA_ROOT, which must be empty when the "
        "backup holds files; then check every file's SHA-256 and every table's row count."
    )

    def add_arguments(self, parser):
        parser.add_argument("in_dir", type=Path)
        parser.add_argument(
            "--no-privileges",
            action="store_true",
            help="leave out the GRANTs of the dump (when its roles do not exist here)",
        )

    def handle(self, *args, in_dir, no_privileges, **options):
        problems = restore(in_dir, no_privileges=no_privileges, log=self.stdout.write)
        if problems:
            raise CommandError(
                f"restored, but {len(problems)} checks failed:\n"
                + "\n".join(f"  {p}" for p in problems)
            )
        self.stdout.write(self.style.SUCCESS(f"restored from {in_dir}: every check passed"))
