"""One cap on the size of every uploaded file, applied while the request is read.

Django keeps any upload, however large, in a temporary file before a form can
look at its size. This handler runs first: once a file passes
``settings.FILE_UPLOAD_MAX_BYTES`` it passes no more of it on (nothing further
is written to disk) and hands the form an empty file that reports the size
received, so the form refuses it with its own message (``upload.size`` is
checked before anything is read).
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


def max_upload_bytes() -> int:
    return int(settings.FILE_UPLOAD_MAX_BYTES)


def max_upload_label() -> str:
    return f"{max_upload_bytes() / 1024 / 1024:g} MB"


class OversizedUpload(UploadedFile):
    """What is left of a file over the cap: its name and the size received, no content."""

    oversized = True

    def __init__(self, name, content_type, size, charset):
        super().__init__(BytesIO(), name, content_type, size, charset)


class SizeCapUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            return None  # the following handlers (memory, temporary file) get no more
        return raw_data

    def file_complete(self, file_size):
        if self.received > max_upload_bytes():
            return OversizedUpload(self.file_name, self.content_type, self.received, self.charset)
        return None  # within the cap: the next handler's file
