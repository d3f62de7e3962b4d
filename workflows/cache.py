"""The database cache with an increment that holds across processes.

Django's DatabaseCache increments with a get and a set: two gunicorn workers
that count the same client at once both read 4 and both write 5. Here the row
is read and written in one transaction that locks it (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite the IMMEDIATE transactions of config/settings.py take the
write lock when they begin), so a count is never lost.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now

# created by migration workflows 0003, whatever CACHES says when it runs
CACHE_TABLE = "zhiji_cache"


def create_cache_table(alias: str) -> None:
    """The table of the database cache, as ``createcachetable`` makes it (if missing)."""
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(alias, CACHE_TABLE, dry_run=False)


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(tz_now())
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote_name('value')} FROM {table} "  # noqa: S608 (quoted names)
                f"WHERE {quote_name('cache_key')} = %s AND {quote_name('expires')} >= %s{lock}",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301 (our own rows)
            value += delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s "  # noqa: S608
                f"WHERE {quote_name('cache_key')} = %s",
                [encoded, key],
            )
        return value
