"""System checks of the kernel (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks

from .storage import default_storage, storage_kind

W001 = "zhiji.W001"


@checks.register(checks.Tags.files, deploy=True)
def check_files_are_shared(app_configs=None, **kwargs):
    """Production on the file-system storage: files written on one machine are missing on
    the others unless APP_MEDIA_ROOT is one volume they all mount."""
    if settings.DEBUG or settings.MEDIA_SHARED or storage_kind(default_storage()) != "filesystem":
        return []
    return [
        checks.Warning(
            f"Uploaded attachments and issued PDFs are stored under APP_MEDIA_ROOT "
            f"({settings.MEDIA_ROOT}) on this machine only: an attachment uploaded through "
            "one web server, or a PDF rendered by a Celery worker on another machine, is "
            "missing on the others.",
            hint="With several web or worker machines set APP_FILE_STORAGE=database (files "
            "in PostgreSQL, nothing else to share), or mount one shared volume at "
            "APP_MEDIA_ROOT on every machine and set APP_MEDIA_SHARED=true (also for a "
            "single machine). README, 'Files on several machines'.",
            id=W001,
        )
    ]
