"""Celery tasks: thin, load by id, idempotent (acks_late: a lost worker's job runs again)."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def render_document(document_id: int) -> None:
    from .services import document_render

    document_render(document_id=document_id)
