"""A dashboard recomputing a unit's on-time figures while a report of that unit is being
written does not stamp figures that miss the report, and does not wait for the writer's
lock (PostgreSQL, two real sessions)."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models import F

from tasks_registry.models import Branch, UnitTally
from tasks_registry.selectors import on_time_rates, refresh_unit_tallies, unit_scores
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.models import UnitKind

pytestmark = [pytest.mark.services]


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

    def recount():  # while the report holds the school's row: reads, skips it, returns
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
    # the recount does not wait for the report's lock: it skips the row and returns
    # while the report is still open (so it can never be half of a deadlock)
    threads[1].join(30)
    recount_done_first = not threads[1].is_alive()
    may_commit.set()
    for t in threads:
        t.join(60)
    assert not errors
    assert recount_done_first
    assert counted == [0]  # the recount saw the row held by a writer and left it
    tally = UnitTally.objects.get(unit=world.school)
    assert tally.month is None  # still stale: the next view recounts it
    rates = {r.unit_id: r for r in on_time_rates(kind=UnitKind.SCHOOL)}
    score = next(s for s in unit_scores() if s.unit == world.school)
    assert rates[world.school.pk].cycles_on_time == score.cycles_on_time == 1
