"""The one attachment service: check an upload by its content, store it, serve it safely.

Every app that accepts files (the approvals kernel, the progress reports of the key-task
supervision) goes through here:

- **Type by content.** Only PDF, JPG and PNG are accepted, judged by the bytes, never by
  the name or the browser's Content-Type; at most ``MAX_ATTACHMENT_BYTES``.
- **No active content, no polyglots.** A PDF is read twice: with pypdf (every object,
  including those packed in object streams, names already decoded) and as raw bytes
  (``#xx`` escapes in names normalised, object streams decoded); scripts, actions that run
  by themselves, launch actions, embedded files, rich media and XFA forms are refused. Images
  are decoded with Pillow and must end at their end marker. Any file that also carries HTML
  or script, an appended archive, or bytes before its header is refused.
- **Generated names.** Files are written as ``<folder>/<year>/<uuid>.<sniffed extension>``
  to the default storage (``workflows.storage``: under ``MEDIA_ROOT``, outside the web root
  and never routed, or in the database); the name the user gave is kept only as a
  sanitised display label.
- **Served as a download, or shown inline.** ``attachment_response`` is what
  permission-checked views return: ``Content-Disposition: attachment``, a Content-Type from
  the allow-list (anything else is ``application/octet-stream``), ``X-Content-Type-Options:
  nosniff`` and a sandboxing Content-Security-Policy. With ``inline=True`` (the 预览 of a
  page, through the same access check) a PDF, PNG or JPEG is served ``inline`` under a
  restrictive policy, framable by the project's pages only; anything else stays a download.

Refusals are ``RuleViolation`` with a Chinese message naming the field (附件), the file and
the rule.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from .exceptions import RuleViolation
from .storage import is_transactional

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENT_LABEL = "20 MB"
MAX_IMAGE_PIXELS = 80_000_000  # a 20 MB photo is far below; a decompression bomb is not
MAX_LABEL_CHARS = 200

OCTET_STREAM = "application/octet-stream"
# what a file input offers to pick (a hint only: the content decides)
ATTACHMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
# an upload field's help text, formatted when rendered in the reader's language (not at import)
ATTACHMENT_HELP = lazy(
    lambda: _("PDF、JPG 或 PNG，单个不超过 %(limit)s，可多选。") % {"limit": MAX_ATTACHMENT_LABEL},
    str,
)()


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str
    aliases: tuple[str, ...] = ()


PDF = FileKind("application/pdf", "pdf", "PDF", ("pdf",))
PNG = FileKind("image/png", "png", "PNG", ("png",))
JPEG = FileKind("image/jpeg", "jpg", "JPG", ("jpg", "jpeg", "jpe"))

_MAGIC = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
SERVED_TYPES = {kind.content_type: kind for _magic, kind in _MAGIC}


def sniff(head: bytes) -> FileKind | None:
    """The file's kind from its first bytes; None for anything not PDF, PNG or JPG."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, with what storing and listing it needs."""

    content: bytes
    kind: FileKind
    label: str  # the user's file name, sanitised: for display only
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def content_type(self) -> str:
        return self.kind.content_type


# --- checking ------------------------------------------------------------------------------


def _refuse(message: str, field: str):
    raise RuleViolation(message, field=field)


def check_upload(upload, *, field: str = "files") -> CheckedUpload:
    """Refuse what is not a plain PDF/JPG/PNG of at most 20 MB, naming the file and the rule."""
    label = display_label(upload.name or "")
    size = upload.size
    if size is not None and size > MAX_ATTACHMENT_BYTES:
        _refuse(_size_message(label, size), field)
    upload.seek(0)
    content = upload.read(MAX_ATTACHMENT_BYTES + 1)
    upload.seek(0)
    if len(content) > MAX_ATTACHMENT_BYTES:
        _refuse(_size_message(label, len(content)), field)
    if not content:
        _refuse(_("附件「%(name)s」是空文件。") % {"name": label}, field)
    kind = sniff(content[:16])
    if kind is None:
        prefix = content.find(b"%PDF-", 0, 1024 * 1024)
        if prefix > 0:
            _refuse(
                _(
                    "附件「%(name)s」在 PDF 文件头（%%PDF-）之前还有 %(count)d 字节其他内容，"
                    "不予接收：PDF 附件必须以 PDF 文件头开始，请重新导出后再上传。"
                )
                % {"name": label, "count": prefix},
                field,
            )
        _refuse(
            _(
                "附件「%(name)s」不是 PDF、JPG 或 PNG 文件（按文件内容识别，与扩展名无关），"
                "请上传这三种格式之一。"
            )
            % {"name": label},
            field,
        )
    problem = _polyglot_problem(content, kind)
    if problem is None:
        problem = _pdf_problem(content) if kind is PDF else _image_problem(content, kind)
    if problem is not None:
        _refuse(problem.format(label, kind), field)
    return CheckedUpload(
        content=content, kind=kind, label=label, sha256=hashlib.sha256(content).hexdigest()
    )


@dataclass(frozen=True)
class _Problem:
    """What is wrong with a file, to be worded once its display name is known."""

    template: str
    params: tuple[tuple[str, str], ...] = ()

    def format(self, name: str, kind: FileKind) -> str:
        return self.template % {"name": name, "kind": kind.label, **dict(self.params)}


def _size_message(name: str, size: int) -> str:
    return _("附件「%(name)s」大小为 %(size).1f MB，超过单个附件 %(limit)s 的上限。") % {
        "name": name,
        "size": size / 1024 / 1024,
        "limit": MAX_ATTACHMENT_LABEL,
    }


def _plain_only() -> str:
    return _("附件必须是单纯的 PDF、JPG 或 PNG 文件，请重新导出或另存后再上传。")


# Markup a browser or another program would act on. The short tags count only with an
# attribute (``<svg onload=…``), so that compressed image data cannot match by chance.
_MARKUP = re.compile(
    rb"<script[\s/>]|<html[\s>]|<!doctype\s+html|<\?php\s|<style[\s>]|<iframe[\s/>]"
    rb"|<(?:svg|img|body|object|embed|meta|link|base|form|video|audio|math)"
    rb"[\s/][\t\n\r\x20-\x7e]{0,512}?="
    rb"|javascript:|vbscript:",
    re.IGNORECASE,
)
# An archive hidden in or after the file (ZIP local header / end of central directory, RAR, 7z).
_ARCHIVE = re.compile(
    rb"PK\x03\x04[\x0a\x14\x2d]\x00|PK\x05\x06\x00\x00\x00\x00|Rar!\x1a\x07|7z\xbc\xaf\x27\x1c"
)


def _polyglot_problem(content: bytes, kind: FileKind) -> _Problem | None:
    """None if the file is only itself; what else it carries otherwise."""
    if _MARKUP.search(content):
        return _Problem(
            _("附件「%(name)s」除 %(kind)s 内容外还夹带了网页或脚本代码，不予接收：")
            + _plain_only()
        )
    if _ARCHIVE.search(content):
        return _Problem(
            _("附件「%(name)s」除 %(kind)s 内容外还夹带了压缩包数据，不予接收：") + _plain_only()
        )
    if kind is not PDF and b"%PDF-" in content:
        return _Problem(
            _("附件「%(name)s」除 %(kind)s 图像外还夹带了 PDF 数据，不予接收：") + _plain_only()
        )
    return None


def _trailing() -> _Problem:
    return _Problem(
        _("附件「%(name)s」在 %(kind)s 文件的结束标记之后还附加了其他数据，不予接收：")
        + _plain_only()
    )


def _broken() -> _Problem:
    return _Problem(
        _("附件「%(name)s」看起来是 %(kind)s 文件，但内容已损坏或无法解析，请重新导出后再上传。")
    )


def _is_padding(tail: bytes) -> bool:
    return not tail.strip(b"\x00\t\n\r\x0c ")


# --- PDF -------------------------------------------------------------------------------------

# Names that make a PDF do something by itself, and how the refusal calls them.
_ACTIVE_NAMES = {
    "JavaScript": gettext_lazy("脚本"),
    "JS": gettext_lazy("脚本"),
    "AA": gettext_lazy("自动执行的动作"),
    "Launch": gettext_lazy("启动外部程序"),
    "EmbeddedFile": gettext_lazy("嵌入文件"),
    "EmbeddedFiles": gettext_lazy("嵌入文件"),
    "RichMedia": gettext_lazy("富媒体"),
    "XFA": gettext_lazy("XFA 动态表单"),
    "SubmitForm": gettext_lazy("表单提交"),
    "ImportData": gettext_lazy("数据导入"),
    "GoToE": gettext_lazy("打开嵌入文档"),
    "GoToR": gettext_lazy("打开外部文档"),
    "Sound": gettext_lazy("声音"),
    "Movie": gettext_lazy("影片"),
}

_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# stream bodies are data (compressed, images): skipped by the raw name scan, read by pypdf
_STREAM_BODY = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r).*?endstream", re.DOTALL)


def _normalised_name(raw: bytes) -> str:
    """A PDF name as a reader sees it: ``J#61vaScript`` is ``JavaScript``."""
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def _active_in_bytes(data: bytes) -> str | None:
    for match in _PDF_NAME.finditer(data):
        name = _normalised_name(match.group(1))
        if name in _ACTIVE_NAMES:
            return name
    return None


def _active(name: str) -> _Problem:
    return _Problem(
        _("附件「%(name)s」是含有活动内容（%(what)s）的 PDF，不予接收：")
        + _(
            "PDF 附件不得含有脚本、自动执行的动作、启动程序、嵌入文件或动态表单，"
            "请打印或另存为普通 PDF 后再上传。"
        ),
        (("what", f"/{name} {_ACTIVE_NAMES[name]}"),),
    )


def _pdf_problem(content: bytes) -> _Problem | None:
    eof = content.rfind(b"%%EOF")
    if eof < 0:
        return _broken()
    if not _is_padding(content[eof + 5 :]):
        return _trailing()
    # raw bytes outside stream bodies, escapes in names normalised
    name = _active_in_bytes(_STREAM_BODY.sub(b" ", content))
    if name:
        return _active(name)
    return _pdf_objects_problem(content)


def _pdf_objects_problem(content: bytes) -> _Problem | None:
    """Walk every object pypdf finds, object streams included; decode object streams too."""
    pypdf_logger = logging.getLogger("pypdf")
    previous = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)  # a lenient read of a sloppy file is not news
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return _Problem(
                _(
                    "附件「%(name)s」是加密的 PDF，无法检查其内容，不予接收："
                    "请取消密码保护后再上传。"
                )
            )
        references = [(gen, idnum) for gen, ids in reader.xref.items() for idnum in ids]
        references += [(0, idnum) for idnum in reader.xref_objStm]
        stack = [reader.trailer]
        for generation, idnum in references:
            stack.append(reader.get_object(IndirectObject(idnum, generation, reader)))
        if len(reader.pages) < 1:
            return _broken()
        seen: set[int] = set()
        while stack:
            obj = stack.pop()
            if obj is None or isinstance(obj, IndirectObject) or id(obj) in seen:
                continue  # indirect objects are visited from the cross-reference table
            seen.add(id(obj))
            if isinstance(obj, NameObject):
                if obj[1:] in _ACTIVE_NAMES:
                    return _active(obj[1:])
            elif isinstance(obj, DictionaryObject):
                for key, value in obj.items():
                    if key[1:] in _ACTIVE_NAMES:
                        return _active(key[1:])
                    stack.append(value)
                if isinstance(obj, StreamObject) and obj.get("/Type") == "/ObjStm":
                    name = _active_in_bytes(obj.get_data())
                    if name:
                        return _active(name)
            elif isinstance(obj, ArrayObject):
                stack.extend(obj)
    except Exception:  # pypdf raises many kinds on a damaged file; each means "cannot read"
        return _broken()
    finally:
        pypdf_logger.setLevel(previous)
    return None


# --- images ----------------------------------------------------------------------------------


def _png_end(content: bytes) -> int | None:
    """Offset just after the IEND chunk; None if the chunk list is broken."""
    position = 8
    while position + 12 <= len(content):
        length = int.from_bytes(content[position : position + 4], "big")
        chunk = content[position + 4 : position + 8]
        position += 12 + length
        if position > len(content):
            return None
        if chunk == b"IEND":
            return position
    return None


def _jpeg_end(content: bytes) -> int | None:
    """Offset just after the EOI marker, walking segments (so thumbnails in EXIF don't end it)."""
    position = 2
    size = len(content)
    while position < size:
        if content[position] != 0xFF:
            return None
        while position < size and content[position] == 0xFF:
            position += 1  # fill bytes
        if position >= size:
            return None
        marker = content[position]
        position += 1
        if marker == 0xD9:  # EOI
            return position
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # no length
        if position + 2 > size:
            return None
        position += int.from_bytes(content[position : position + 2], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                position = content.find(b"\xff", position)
                if position < 0 or position + 1 >= size:
                    return None
                following = content[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position += 1 if following == 0xFF else 2
                    continue
                break
    return None


def _image_problem(content: bytes, kind: FileKind) -> _Problem | None:
    end = _png_end(content) if kind is PNG else _jpeg_end(content)
    if end is None:
        return _broken()
    if not _is_padding(content[end:]):
        return _trailing()
    too_large = _Problem(
        _(
            "附件「%(name)s」的图像尺寸过大，不予接收：单张图片不得超过 8000 万像素，"
            "请缩小后再上传。"
        )
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != ("PNG" if kind is PNG else "JPEG"):
                    return _broken()
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return too_large
                image.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return too_large
    except Exception:  # Pillow raises many kinds on a damaged image
        return _broken()
    return None


# --- names, storage, download ---------------------------------------------------------------

_UNSAFE_IN_NAMES = re.compile(r'[<>:"|?*]')


def display_label(name: str) -> str:
    """The user's file name as a harmless label: no folders, control or direction characters."""
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    # no control, format (direction overrides) or private characters; any space is a space
    name = "".join(
        " " if unicodedata.category(ch)[0] == "Z" else ch
        for ch in name
        if unicodedata.category(ch)[0] != "C"
    )
    name = _UNSAFE_IN_NAMES.sub("_", " ".join(name.split())).strip(" .")
    if len(name) > MAX_LABEL_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 8:
            name = stem[: MAX_LABEL_CHARS - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_LABEL_CHARS]
    return name or _("附件")


def download_name(label: str, content_type: str) -> str:
    """The label with the extension of the file's real type (photo.jpg holding a PDF → photo.pdf)."""
    label = display_label(label)
    kind = SERVED_TYPES.get(content_type)
    if kind is None:
        return label
    stem, dot, extension = label.rpartition(".")
    if dot and stem:
        if extension.lower() in kind.aliases:
            return label
        return f"{stem}.{kind.extension}"
    return f"{label}.{kind.extension}"


class AttachmentArea:
    """A folder of the default storage holding checked uploads; names are relative to it.

    The storage is whichever ``APP_FILE_STORAGE`` chose (``workflows.storage``): the file
    system under MEDIA_ROOT, the database, or an object store.
    """

    def __init__(self, folder: str):
        self.folder = folder

    def storage(self) -> Storage:
        # looked up per call so tests that change MEDIA_ROOT or STORAGES are honoured
        return storages["default"]

    def media_name(self, name: str) -> str:
        """The same file's name in the default storage (for a FileField on it)."""
        return f"{self.folder}/{name}"

    def save(self, checked: CheckedUpload) -> str:
        name = f"{timezone.now():%Y}/{uuid.uuid4().hex}.{checked.kind.extension}"
        stored = self.storage().save(self.media_name(name), ContentFile(checked.content))
        return stored.removeprefix(f"{self.folder}/")

    def open(self, name: str):
        return open_stored(self.storage(), self.media_name(name))

    def delete(self, name: str) -> None:
        self.storage().delete(self.media_name(name))

    def discard(self, name: str) -> None:
        """Remove a file whose row this transaction deletes: with the transaction on the
        database storage (a rollback keeps both), after the commit on the others."""
        if is_transactional(self.storage()):
            self.delete(name)
        else:
            transaction.on_commit(lambda: self.delete(name))

    @contextmanager
    def saving(self) -> Iterator[list[str]]:
        """Files saved inside the block are deleted again if the block raises.

        ``with area.saving() as saved: saved.append(area.save(checked))``

        On the database storage the enclosing transaction's rollback removes them (and a
        failed transaction would refuse the deletes anyway).
        """
        saved: list[str] = []
        try:
            yield saved
        except BaseException:
            if not is_transactional(self.storage()):
                for name in saved:
                    self.delete(name)
            raise


def open_stored(storage, name: str):
    """A stored file opened for reading; 404 (not 500) if it is gone from the storage."""
    try:
        return storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404 from None


# What may be shown in the page (the 预览 toggle): the three accepted kinds, already checked
# for active content when they were uploaded. Anything else is only ever a download.
INLINE_TYPES = frozenset({PDF.content_type, PNG.content_type, JPEG.content_type})

# An image is shown in a document that may do nothing: no script, no plugin, no form, no
# request but the image itself, framed only by the project's own pages.
_IMAGE_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
)
# A PDF cannot take ``sandbox`` (Chromium's and Firefox's PDF viewers refuse to run in a
# sandboxed document and show "blocked") nor ``default-src 'none'`` (it blocks the viewer's
# own page): nothing may frame it but the project, it may post no form and change no base
# URL; the file itself was refused at upload if it carried scripts or actions.
_PDF_CSP = "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"


def preview_kind(content_type: str) -> str:
    """ "pdf", "image", or "" (not shown inline) for a stored file's content type."""
    if content_type not in INLINE_TYPES:
        return ""
    return "pdf" if content_type == PDF.content_type else "image"


def attachment_response(
    handle, *, label: str, content_type: str, inline: bool = False
) -> FileResponse:
    """A stored file as a download that no browser will render or sniff.

    ``inline``: a PDF, PNG or JPEG is served to be shown in the page (``Content-Disposition:
    inline``, framable by the project's own pages only, under a restrictive policy); any
    other type is still a download."""
    safe_type = content_type if content_type in SERVED_TYPES else OCTET_STREAM
    shown = inline and safe_type in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not shown,
        filename=download_name(label, safe_type),
        content_type=safe_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if shown:
        response["Content-Security-Policy"] = (
            _PDF_CSP if safe_type == PDF.content_type else _IMAGE_CSP
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
