"""TEST ONLY: the project's Celery app, with rendering made slow enough to kill mid-render.

``celery -A tests.docs_gen.slow_render_worker worker`` runs the same app and tasks as
``-A config``; in each pool process, ``document_render`` stops at ``SLOW_RENDER_AT`` for
``SLOW_RENDER_SECONDS`` after writing the pid of the process to ``SLOW_RENDER_MARKER``,
so that a test knows the worker is inside the render (row locked, transaction open) and
can kill it there. Nothing of this is imported by the project itself.

``SLOW_RENDER_AT``:
- ``before_pdf``: before the PDF is made (the row is locked, nothing written yet);
- ``after_file``: the PDF file is written and the row saved, not yet committed (the
  worst moment: a file on disk that the database will not reference).
"""

import os
import time
from pathlib import Path

from celery import signals

from config.celery import app

__all__ = ["app"]


def _stop_here():
    Path(os.environ["SLOW_RENDER_MARKER"]).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("SLOW_RENDER_SECONDS", "120")))


@signals.worker_process_init.connect
def _make_rendering_slow(**kwargs):
    from docs_gen import rendering, services

    where = os.environ.get("SLOW_RENDER_AT", "before_pdf")
    if where == "before_pdf":
        real_render = rendering.render_issued

        def slow_render(snapshot, *args, **kw):
            _stop_here()
            return real_render(snapshot, *args, **kw)

        rendering.render_issued = slow_render
    elif where == "after_file":
        real_audit = services.audit_record

        def slow_audit(*args, **kw):
            if kw.get("action") == "docs.rendered":
                _stop_here()
            return real_audit(*args, **kw)

        services.audit_record = slow_audit
    else:
        raise ValueError(f"SLOW_RENDER_AT={where!r}: use before_pdf or after_file")
