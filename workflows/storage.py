"""Where files live: one storage that every web server and every Celery worker sees.

Every file of the project goes through Django's default storage (``storages["default"]``):
the attachments of applications and progress reports (``workflows.attachments``) and the
PDFs of issued documents (``docs_gen.models.OfficialDocument.pdf``). ``APP_FILE_STORAGE``
picks it (config/settings.py, README "Files on several machines"):

* ``filesystem`` (the default): ``FileSystemStorage`` under ``APP_MEDIA_ROOT``. Right for
  one machine, or for a volume every machine mounts at the same path.
* ``database``: :class:`DatabaseStorage`, one :class:`~workflows.models.StoredFile` row per
  file in the application's own database. Every machine that reaches PostgreSQL sees every
  file, and a file is written in the transaction that writes the row naming it: an
  attachment and its ``Attachment`` row, a PDF and its issued document commit or roll back
  together. Downloads read the row in chunks (``CHUNK_BYTES``), never the whole file at once.
* ``s3``: django-storages' ``S3Storage`` for a site that runs an object store (documented,
  not installed by default).

:func:`stored_files` lists the files the database refers to, with the SHA-256 each row
recorded; ``move_files``, ``backup`` and ``restore`` check every file against it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

CHUNK_BYTES = 1024 * 1024  # one query per MiB read from a StoredFile row


class _Slice(models.Func):
    """``substr(content, start, length)`` of a bytea (PostgreSQL) or BLOB (SQLite)."""

    function = "SUBSTR"
    output_field = models.BinaryField()


class StoredFileReader(io.RawIOBase):
    """A StoredFile row's content, read ``substr`` by ``substr`` (seekable, read-only).

    The column is stored uncompressed (``STORAGE EXTERNAL``, migration 0005), so PostgreSQL
    reads only the pages a slice covers.
    """

    def __init__(self, pk: int, size: int, using: str, chunk_bytes: int = CHUNK_BYTES):
        super().__init__()
        self._pk = pk
        self._size = size
        self._using = using
        self._chunk = chunk_bytes
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer) -> int:
        if self._pos >= self._size:
            return 0
        # at most one chunk per query, however much the caller asked for
        length = min(len(buffer), self._size - self._pos, self._chunk)
        from .models import StoredFile

        part = (
            StoredFile.objects.using(self._using)
            .filter(pk=self._pk)
            .annotate(part=_Slice("content", self._pos + 1, length))
            .values_list("part", flat=True)
            .first()
        )
        if part is None:
            raise OSError("the stored file was deleted while it was being read")
        part = bytes(part)
        if not part:
            raise OSError("the stored file is shorter than its recorded size")
        buffer[: len(part)] = part
        self._pos += len(part)
        return len(part)

    def readall(self) -> bytes:
        parts = []
        buffer = bytearray(self._chunk)
        while count := self.readinto(buffer):
            parts.append(bytes(buffer[:count]))
        return b"".join(parts)


@deconstructible(path="workflows.storage.DatabaseStorage")
class DatabaseStorage(Storage):
    """Files as rows of ``workflows.StoredFile`` in the application's database.

    ``transactional``: a file saved or deleted inside a transaction is saved or deleted
    with it (``AttachmentArea`` relies on that instead of cleaning up by hand).
    """

    transactional = True

    def __init__(self, using: str = "default", chunk_bytes: int = CHUNK_BYTES):
        self.using = using
        self.chunk_bytes = chunk_bytes

    def _rows(self):
        from .models import StoredFile

        return StoredFile.objects.using(self.using)

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+x"):
            raise ValueError("files of the database storage are opened for reading only")
        row = self._rows().filter(name=name).values_list("pk", "size").first()
        if row is None:
            raise FileNotFoundError(name)
        pk, size = row
        reader = io.BufferedReader(
            StoredFileReader(pk, size, self.using, self.chunk_bytes), buffer_size=self.chunk_bytes
        )
        return File(reader, name=name)

    def _save(self, name, content):
        digest = hashlib.sha256()
        parts = []
        if hasattr(content, "seek"):
            content.seek(0)
        for chunk in content.chunks():
            digest.update(chunk)
            parts.append(chunk)
        data = b"".join(parts)
        self._rows().create(name=name, content=data, size=len(data), sha256=digest.hexdigest())
        return name

    def exists(self, name) -> bool:
        return self._rows().filter(name=name).exists()

    def delete(self, name) -> None:
        if name:
            self._rows().filter(name=name).delete()

    def size(self, name) -> int:
        size = self._rows().filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(name)
        return size

    def sha256(self, name) -> str:
        """The SHA-256 recorded when the file was written (``move_files`` re-reads the bytes)."""
        digest = self._rows().filter(name=name).values_list("sha256", flat=True).first()
        if digest is None:
            raise FileNotFoundError(name)
        return digest

    def listdir(self, path):
        prefix = path.strip("/") + "/" if path.strip("/") else ""
        directories, files = set(), []
        names = self._rows().filter(name__startswith=prefix).values_list("name", flat=True)
        for name in names:
            head, sep, _tail = name[len(prefix) :].partition("/")
            if sep:
                directories.add(head)
            else:
                files.append(head)
        return sorted(directories), sorted(files)

    def get_modified_time(self, name):
        when = self._rows().filter(name=name).values_list("created_at", flat=True).first()
        if when is None:
            raise FileNotFoundError(name)
        return when

    get_created_time = get_modified_time

    def url(self, name):
        raise NotImplementedError("files leave only through permission-checked views")


# --- which storage, by name -------------------------------------------------------------

KINDS = ("filesystem", "database", "s3")


def default_storage() -> Storage:
    """The configured storage (read per call: tests change ``STORAGES``)."""
    return storages["default"]


def storage_kind(storage: Storage | None = None) -> str:
    """``filesystem``, ``database`` or ``s3`` (``other`` for anything else)."""
    storage = storage if storage is not None else default_storage()
    if isinstance(storage, DatabaseStorage):
        return "database"
    if isinstance(storage, FileSystemStorage):
        return "filesystem"
    if type(storage).__module__.startswith("storages."):
        return "s3"
    return "other"


def storage_of_kind(kind: str) -> Storage:
    """A storage of ``kind`` with this installation's settings, whichever is configured."""
    if storage_kind() == kind:
        return default_storage()
    if kind == "filesystem":
        return FileSystemStorage(location=settings.MEDIA_ROOT)
    if kind == "database":
        return DatabaseStorage()
    raise ValueError(f"no {kind} storage is configured (APP_FILE_STORAGE)")


def is_transactional(storage: Storage) -> bool:
    return bool(getattr(storage, "transactional", False))


def file_sha256(storage: Storage, name: str) -> tuple[str, int]:
    """(SHA-256, size) of the bytes ``storage`` returns for ``name``, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# --- the files the database refers to ---------------------------------------------------


@dataclass(frozen=True)
class FileRef:
    """A file some row names: its storage name and the SHA-256 the row recorded ("" if
    the row predates recording it)."""

    name: str
    sha256: str
    source: str  # "approvals.Attachment", … (for messages)


def stored_files() -> Iterator[FileRef]:
    """Every file a row names, from the providers in ``settings.FILE_SOURCES`` (each app
    lists its own: workflows knows no procedure)."""
    seen = set()
    for path in settings.FILE_SOURCES:
        for ref in import_string(path)():
            if ref.name and ref.name not in seen:
                seen.add(ref.name)
                yield ref
