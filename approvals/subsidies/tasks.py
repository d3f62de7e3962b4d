"""Celery tasks: thin, by id, idempotent (acks_late: a lost worker's job runs again)."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def render_certificates(certificate_ids: list[int]) -> None:
    from .awards import certificate_render

    for certificate_id in certificate_ids:
        certificate_render(certificate_id)
