"""Notifications are e-mailed by a real Celery worker over Redis, once."""

import time

import pytest
from django.core import mail
from django.db import transaction

from workflows.models import Notification
from workflows.services import notify

pytestmark = pytest.mark.services


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_emails_a_notification_after_commit(celery_worker_on_redis, world_tx):
    with transaction.atomic():
        [note] = notify(recipients=[world_tx.school_handler], title="请及时报送进度", body="任务 2")
    assert _wait_for(lambda: Notification.objects.get(pk=note.pk).emailed_at is not None)
    assert _wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].subject == "请及时报送进度"
    assert mail.outbox[0].to == [world_tx.school_handler.email]


def test_running_the_email_task_twice_sends_once(celery_worker_on_redis, world_tx):
    from workflows.tasks import send_notification_emails

    with transaction.atomic():
        [note] = notify(recipients=[world_tx.edu_handler], title="催办")
    assert _wait_for(lambda: len(mail.outbox) == 1)
    send_notification_emails.delay([note.pk])
    time.sleep(1.0)
    assert len(mail.outbox) == 1
