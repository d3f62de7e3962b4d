from pathlib import Path

from django.core.management.base import BaseCommand

from workflows.backup import backup


class Command(BaseCommand):
    help = (
        "Back the whole system up into OUT_DIR (new or empty): pg_dump of the database "
        "(custom format), the files rows refer to when they are on the file system "
        "(files.tar), and manifest.json with their SHA-256s, all from one snapshot."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir", type=Path)

    def handle(self, *args, out_dir, **options):
        manifest = backup(out_dir, log=self.stdout.write)
        if manifest["missing"] or manifest["mismatched"]:
            self.stderr.write(
                f"{len(manifest['missing'])} files missing, {len(manifest['mismatched'])} "
                "differing from their rows: see above and the manifest"
            )
        self.stdout.write(self.style.SUCCESS(f"backup written to {out_dir}"))
