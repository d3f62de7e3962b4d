"""Move every file the database refers to between the file system and the database storage."""

from hashlib import sha256

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workflows.storage import file_sha256, storage_kind, storage_of_kind, stored_files

OTHER = {"database": "filesystem", "filesystem": "database"}


def _all_names(storage, path=""):
    directories, files = storage.listdir(path)
    for name in files:
        yield f"{path}/{name}" if path else name
    for directory in directories:
        yield from _all_names(storage, f"{path}/{directory}" if path else directory)


class Command(BaseCommand):
    help = (
        "Move the attachments and issued PDFs rows refer to into the database storage "
        "(--to database) or back under APP_MEDIA_ROOT (--to filesystem). Idempotent: a file "
        "already at its target with the right SHA-256 is left alone. Each file is checked "
        "against the SHA-256 its row recorded before and after the copy, and removed from "
        "its source only once its copy verifies. Then set APP_FILE_STORAGE to the target."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, choices=sorted(OTHER), dest="target")
        parser.add_argument(
            "--keep-source",
            action="store_true",
            help="copy and verify, but leave the source files in place",
        )

    def handle(self, *args, target, keep_source, **options):
        source_kind = OTHER[target]
        source, dest = storage_of_kind(source_kind), storage_of_kind(target)
        counts = {"moved": 0, "already": 0}
        errors = []
        referenced = list(stored_files())
        for ref in referenced:
            try:
                outcome = self._move(ref, source, dest, target, keep_source)
            except OSError as exc:
                outcome = f"{ref.name} ({ref.source}): {type(exc).__name__}: {exc}"
            if outcome in counts:
                counts[outcome] += 1
            else:
                errors.append(outcome)
        names = {ref.name for ref in referenced}
        left = sum(1 for name in _all_names(source) if name not in names)
        self.stdout.write(
            f"{len(referenced)} files referenced: {counts['moved']} "
            f"{'copied' if keep_source else 'moved'} to {target}, "
            f"{counts['already']} already there"
            + (
                f"; {left} files in {source_kind} storage no row refers to, left there"
                if left
                else ""
            )
        )
        if errors:
            raise CommandError(
                f"{len(errors)} files not moved:\n" + "\n".join(f"  {e}" for e in errors)
            )
        if storage_kind() != target:
            self.stdout.write(
                f"Now set APP_FILE_STORAGE={target} on every web server and worker and restart them."
            )
        self.stdout.write(self.style.SUCCESS("done"))

    def _move(self, ref, source, dest, target, keep_source) -> str:
        """'moved', 'already', or the reason the file was not moved."""
        where = f"{ref.name} ({ref.source})"
        in_source = source.exists(ref.name)
        source_data = source_sha = None
        if in_source:
            with source.open(ref.name, "rb") as handle:
                source_data = handle.read()
            source_sha = sha256(source_data).hexdigest()
        expected = ref.sha256 or source_sha
        if dest.exists(ref.name):
            dest_sha, _size = file_sha256(dest, ref.name)
            if expected is None or dest_sha == expected:
                if in_source and not keep_source:
                    source.delete(ref.name)
                return "already"
            if source_sha != expected:
                return f"{where}: neither copy has the recorded SHA-256 {expected}"
            dest.delete(ref.name)  # a wrong copy at the target (an earlier broken run)
        elif not in_source:
            return f"{where}: in neither storage"
        if source_sha != expected:
            return f"{where}: its content has SHA-256 {source_sha}, its row recorded {expected}"
        with transaction.atomic():  # on the database storage: the row only if it verifies
            saved = dest.save(ref.name, ContentFile(source_data))
            if saved != ref.name:
                dest.delete(saved)
                return f"{where}: the {target} storage would store it as {saved}"
            copied, _size = file_sha256(dest, ref.name)
            if copied != expected:
                dest.delete(ref.name)
                return f"{where}: the copy in {target} has SHA-256 {copied}, not {expected}"
        if not keep_source:
            source.delete(ref.name)
        return "moved"
