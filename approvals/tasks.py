"""Celery autodiscovery looks for ``<app>.tasks``; the kernel's tasks live in common.tasks."""

from .common.tasks import close_due_public_notices, scan_step_deadlines  # noqa: F401
