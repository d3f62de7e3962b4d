"""The embedded mode's Celery broker is files on disk: a real worker consumes from it, no server."""

import threading

from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import task_success

from config.celery import app as project_app


def test_a_worker_runs_a_task_sent_through_the_file_system_broker(tmp_path, db, monkeypatch):
    # Celery lets the CELERY_BROKER_URL environment variable override an app's config;
    # the PostgreSQL + Redis run sets it, and this test is about the embedded default
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    queue = tmp_path / "queue"
    queue.mkdir()
    app = Celery("embedded-check", set_as_current=False)
    app.conf.update(
        broker_url="filesystem://localhost/",
        broker_transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "store_processed": False,
            "control_folder": str(tmp_path / "control"),
        },
        task_ignore_result=True,
        task_always_eager=False,
    )
    import workflows.tasks  # noqa: F401 - registers the shared tasks on this app too

    done = threading.Event()

    def _on_success(sender=None, **kwargs):
        if sender is not None and sender.name == "workflows.tasks.send_notification_emails":
            done.set()

    task_success.connect(_on_success, weak=False)
    try:
        app.send_task("workflows.tasks.send_notification_emails", args=[[]])
        assert len(list(queue.iterdir())) == 1  # the message is a file
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5):
            assert done.wait(timeout=20), "the worker did not run the task"
        assert list(queue.iterdir()) == []  # consumed
    finally:
        task_success.disconnect(_on_success)
        # start_worker makes its app the current and default one: give them back, or tasks
        # called later in this test process would go to the deleted folder above
        project_app.set_current()
        project_app.set_default()
