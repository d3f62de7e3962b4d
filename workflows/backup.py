"""A consistent backup of the whole system, and its restore (``manage.py backup`` / ``restore``).

A backup is a folder:

* ``database.dump``: ``pg_dump --format=custom`` of the application's database;
* ``files.tar``: the files rows refer to, when they live on the file system (on the database
  storage they are in the dump; an object store is backed up by its own means);
* ``manifest.json``, written last (a folder without it is an unfinished backup): the SHA-256
  of the dump and of the archive, every file with its SHA-256, and the row count of every
  table.

Consistency: the backup opens a REPEATABLE READ transaction, exports its snapshot, and
``pg_dump --snapshot`` dumps exactly what that transaction sees; the list of files is read in
the same transaction. So the files archived are those the dumped rows refer to, each checked
against the SHA-256 its row recorded. (A file deleted after the snapshot, before it was read,
is listed as missing in the manifest and reported.)

Restore goes into an empty database and an empty media folder: ``pg_restore`` in one
transaction, data before triggers (pg_restore creates triggers in its post-data section, after
the data is loaded, so the guards of ``workflows.dbguard`` do not see the load and are in place
afterwards), then the archive; then every file is read back and compared with the manifest,
and every table's row count.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from .storage import CHUNK_BYTES, DatabaseStorage, file_sha256, storage_kind, stored_files

FORMAT = "zhiji-backup/1"
DUMP = "database.dump"
ARCHIVE = "files.tar"
MANIFEST = "manifest.json"


def _sha256_of_path(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _require_postgresql() -> dict:
    if connection.vendor != "postgresql":
        raise CommandError(
            "backup and restore need PostgreSQL (DATABASE_URL=postgres://…). The embedded "
            "SQLite mode keeps everything in APP_VAR_DIR: stop it and copy that folder."
        )
    return connection.settings_dict


def libpq_env(db: dict) -> dict[str, str]:
    """The environment pg_dump / pg_restore connect with: the same server, role and
    database as Django (DATABASES["default"])."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    options = db.get("OPTIONS") or {}
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    if shutil.which(argv[0]) is None:
        raise CommandError(
            f"{argv[0]} not found: install postgresql-client (apt-get install postgresql-client)"
        )
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(
            f"{' '.join(argv[:2])} failed ({result.returncode}):\n{result.stderr.strip()}"
        )


def table_counts() -> dict[str, int]:
    """Rows per table of the installed models (one query per table)."""
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)  # the models' own table names
            cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _empty_folder(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


# --- backup ------------------------------------------------------------------------------


def backup(out_dir: Path, *, log=print) -> dict:
    """Write a backup into ``out_dir`` (created; must be empty) and return its manifest."""
    db = _require_postgresql()
    if connection.in_atomic_block:
        raise CommandError("backup opens its own transaction: call it outside any transaction")
    out_dir = Path(out_dir)
    if not _empty_folder(out_dir):
        raise CommandError(f"{out_dir} is not empty: a backup goes into a new or empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    kind = storage_kind()
    if kind == "other":
        raise CommandError("backup knows the filesystem, database and s3 storages only")
    started = time.monotonic()
    entries, missing, mismatched = [], [], []
    with transaction.atomic():
        with connection.cursor() as cursor:
            # the first statement of the transaction: its snapshot is the one exported
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        refs = list(stored_files())
        counts = table_counts()
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={out_dir / DUMP}"],
            libpq_env(db),
        )
        if kind == "filesystem":
            media = FileSystemStorage(location=settings.MEDIA_ROOT)
            with tarfile.open(out_dir / ARCHIVE, "w") as archive:
                for ref in refs:
                    try:
                        with media.open(ref.name, "rb") as handle:
                            data = handle.read()
                    except FileNotFoundError:
                        missing.append(ref.name)
                        continue
                    digest = hashlib.sha256(data).hexdigest()
                    if ref.sha256 and digest != ref.sha256:
                        mismatched.append(ref.name)
                    info = tarfile.TarInfo(ref.name)
                    info.size = len(data)
                    info.mtime = int(time.time())
                    info.mode = 0o640
                    archive.addfile(info, io.BytesIO(data))
                    entries.append(_entry(ref, digest, len(data)))
        elif kind == "database":
            stored = DatabaseStorage()
            for ref in refs:
                try:
                    digest, size = stored.sha256(ref.name), stored.size(ref.name)
                except FileNotFoundError:
                    missing.append(ref.name)
                    continue
                if ref.sha256 and digest != ref.sha256:
                    mismatched.append(ref.name)
                entries.append(_entry(ref, digest, size))
        else:  # s3: listed, not copied
            entries = [_entry(ref, ref.sha256, None) for ref in refs]
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {
            "file": DUMP,
            "sha256": _sha256_of_path(out_dir / DUMP),
            "name": db["NAME"],
            "server_version": server_version,
        },
        "storage": kind,
        "archive": (
            {"file": ARCHIVE, "sha256": _sha256_of_path(out_dir / ARCHIVE)}
            if kind == "filesystem"
            else None
        ),
        "files": entries,
        "missing": missing,
        "mismatched": mismatched,
        "tables": counts,
        "seconds": round(time.monotonic() - started, 1),
    }
    partial = out_dir / f"{MANIFEST}.partial"
    with partial.open("w") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(out_dir / MANIFEST)
    where = {
        "filesystem": f"{len(entries)} files in {ARCHIVE}",
        "database": f"{len(entries)} files in the dump",
    }
    log(
        f"backup in {out_dir}: the database ({sum(counts.values())} rows), "
        f"{where.get(kind, f'{len(entries)} files listed (s3: not copied)')}, "
        f"{manifest['seconds']} s"
    )
    for name in missing:
        log(f"  missing: {name} (its row is in the dump, the file was not found)")
    for name in mismatched:
        log(f"  SHA-256 differs from its row: {name}")
    return manifest


def _entry(ref, digest, size) -> dict:
    return {"name": ref.name, "sha256": digest, "size": size, "source": ref.source}


# --- restore -----------------------------------------------------------------------------


def read_manifest(in_dir: Path) -> dict:
    path = Path(in_dir) / MANIFEST
    if not path.exists():
        raise CommandError(f"{path} not found: not a backup, or an unfinished one")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise CommandError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT}")
    return manifest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def restore(in_dir: Path, *, no_privileges: bool = False, log=print) -> list[str]:
    """Restore the backup in ``in_dir`` into the configured (empty) database and media
    folder; returns the problems found when checking the result (empty: all verified)."""
    db = _require_postgresql()
    in_dir = Path(in_dir)
    manifest = read_manifest(in_dir)
    dump = in_dir / manifest["database"]["file"]
    if _sha256_of_path(dump) != manifest["database"]["sha256"]:
        raise CommandError(f"{dump} does not have the SHA-256 in the manifest: damaged")
    archive = manifest.get("archive")
    if archive and _sha256_of_path(in_dir / archive["file"]) != archive["sha256"]:
        raise CommandError(f"{in_dir / archive['file']} does not have the SHA-256 in the manifest")
    tables = connection.introspection.table_names()
    if tables:
        raise CommandError(
            f"the database {db['NAME']} is not empty ({len(tables)} tables): restore into a new "
            "database (createdb), then point DATABASE_URL at it"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if archive and not _empty_folder(media_root):
        raise CommandError(
            f"APP_MEDIA_ROOT {media_root} is not empty: restore into an empty folder"
        )
    connection.close()
    argv = ["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner"]
    if no_privileges:
        argv.append("--no-privileges")
    _run([*argv, f"--dbname={db['NAME']}", str(dump)], libpq_env(db))
    log(f"database {db['NAME']} restored from {dump.name}")

    problems = []
    expected = {entry["name"]: entry for entry in manifest["files"]}
    if archive:
        problems += _extract(in_dir / archive["file"], media_root, expected)
    kind = manifest["storage"]
    if kind in ("filesystem", "database"):
        storage = (
            FileSystemStorage(location=media_root) if kind == "filesystem" else DatabaseStorage()
        )
        checked = 0
        for name, entry in expected.items():
            try:
                digest, _size = file_sha256(storage, name)
            except FileNotFoundError:
                problems.append(f"{name}: not restored")
                continue
            if digest != entry["sha256"]:
                problems.append(f"{name}: SHA-256 {digest}, the backup recorded {entry['sha256']}")
            checked += 1
        log(f"{checked} files restored to the {kind} storage, SHA-256 checked")
    counts = table_counts()
    for table, count in manifest["tables"].items():
        if counts.get(table) != count:
            problems.append(f"table {table}: {counts.get(table)} rows, the backup had {count}")
    log(f"{len(manifest['tables'])} tables, {sum(counts.values())} rows: counts checked")
    configured = storage_kind()
    if kind in ("filesystem", "database") and configured != kind:
        log(
            f"the files are in the {kind} storage but APP_FILE_STORAGE is {configured}: "
            f"run manage.py move_files --to {configured}, or set APP_FILE_STORAGE={kind}"
        )
    return problems


def _extract(path: Path, media_root: Path, expected: dict) -> list[str]:
    """Write the archive's files under ``media_root``: regular files the manifest lists,
    under their own names, nothing outside the folder."""
    problems = []
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "r") as archive:
        for member in archive:
            if not member.isfile() or not _safe_member(member.name) or member.name not in expected:
                problems.append(
                    f"{member.name}: in the archive, not a file of the manifest (skipped)"
                )
                continue
            target = media_root / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            with target.open("xb") as handle:
                shutil.copyfileobj(source, handle, CHUNK_BYTES)
    return problems


# --- nightly (beat) ----------------------------------------------------------------------

NIGHTLY = re.compile(r"^zhiji-\d{8}$")


def nightly(root: Path, *, keep: int, log=print) -> Path | None:
    """Tonight's backup under ``root`` (``zhiji-YYYYMMDD``; none if it exists already, so a
    second delivery of the task does nothing), then all but the newest ``keep`` removed."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    name = f"zhiji-{timezone.localdate():%Y%m%d}"
    final = root / name
    if final.exists():
        log(f"{final} exists: nothing to do")
        return None
    partial = root / f".{name}.partial"
    try:
        partial.mkdir()
    except FileExistsError:
        if time.time() - partial.stat().st_mtime < 6 * 3600:
            log(f"{partial} exists: another backup is running")
            return None
        shutil.rmtree(partial)  # left by a backup that died
        partial.mkdir()
    try:
        backup(partial, log=log)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(final)
    done = sorted(p for p in root.iterdir() if NIGHTLY.match(p.name) and (p / MANIFEST).exists())
    for old in done[:-keep] if keep > 0 else []:
        shutil.rmtree(old)
        log(f"removed {old} (APP_BACKUP_KEEP={keep})")
    return final
