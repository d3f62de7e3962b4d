"""The flow lock every flow in this project uses.

viewflow's default ``select_for_update_lock`` uses NOWAIT and a sleep-and-retry
loop (0.4–10 s, then ``FlowLockFailed``). This lock waits on the process row
instead, bounded by a lock timeout on PostgreSQL, so the second of two people
acting at once gets a prompt, clear answer. On SQLite, transactions are
IMMEDIATE (settings), which serialises writers the same way.
"""

from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from viewflow.workflow.exceptions import FlowLockFailed


class ProcessRowLock:
    def __init__(self, timeout_ms: int = 5000):
        self.timeout_ms = int(timeout_ms)

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic():
            try:
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL lock_timeout = {self.timeout_ms}")
                flow_class.process_class._default_manager.filter(
                    pk=process_pk
                ).select_for_update().exists()
            except DatabaseError as exc:
                raise FlowLockFailed(f"Lock failed for {flow_class}") from exc
            yield


process_lock = ProcessRowLock()
