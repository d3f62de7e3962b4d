"""Celery tasks: thin, load by id, idempotent (acks_late: a lost worker's job runs again)."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def render_document(document_id: int) -> None:
    from .services import document_render

    document_render(document_id=document_id)


@shared_task(ignore_result=True)
def requeue_stuck_renders() -> int:
    """Beat, every minute: re-queue documents whose rendering died with its worker."""
    from .services import documents_requeue_stuck

    return len(documents_requeue_stuck())
