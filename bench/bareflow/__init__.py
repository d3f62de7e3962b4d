"""A minimal bare django-viewflow 2.4 approval, the yardstick of ``bench/bench_approvals.py``.

Four human steps as viewflow's own documentation writes them: a ``Start`` view (the
submission), then three ``View`` tasks, each assigned to its reviewer and followed by
an ``If`` on the decision; viewflow's ``CreateProcessView`` / ``UpdateProcessView``,
the process data in ``jsonstore`` fields of a proxy ``Process``, and viewflow's
``select_for_update_lock`` (without a lock, two reviewers could both complete a task).
Loaded only by the benchmark (``APP_EXTRA_APPS=bench.bareflow``), never by the site.
"""
