"""A dashboard recomputing a unit's on-time figures while a report of that unit commits
does not stamp figures that miss the report (PostgreSQL, two real sessions)."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import F

from tasks_registry.models import Branch, UnitTally
from tasks_registry.selectors import on_time_rates, refresh_unit_tallies, unit_scores
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.models import UnitKind

pytestmark = [pytest.mark.services]


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE %s",
            ['UPDATE "tasks_registry_unittally"%'],
        )
        return cursor.fetchone()[0] > 0


def test_a_report_committed_during_a_recount_leaves_the_row_stale_not_wrong(world_tx):
    world = world_tx
    sup = dispatch(world, 15)
    branch = branch_of(sup, world.school)
    refresh_unit_tallies()
    Branch.objects.filter(pk=branch.pk).update(state="active")  # the school's row is stale
    written, may_commit, errors, counted = threading.Event(), threading.Event(), [], []

    def report():  # a report of the school, committed while the dashboard recounts
        try:
            with transaction.atomic():
                Branch.objects.filter(pk=branch.pk).update(
                    cycles_reported=F("cycles_reported") + 1, last_report_cycle=1
                )
                written.set()
                assert may_commit.wait(30)
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    def recount():  # reads the rows before the report commits, writes them after
        try:
            assert written.wait(30)
            counted.append(refresh_unit_tallies())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report), threading.Thread(target=recount)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    may_commit.set()
    for t in threads:
        t.join(60)
    assert not errors
    assert counted == [0]  # the recount saw the row change under it and left it
    tally = UnitTally.objects.get(unit=world.school)
    assert tally.month is None  # still stale: the next view recounts it
    rates = {r.unit_id: r for r in on_time_rates(kind=UnitKind.SCHOOL)}
    score = next(s for s in unit_scores() if s.unit == world.school)
    assert rates[world.school.pk].cycles_on_time == score.cycles_on_time == 1
