"""The demo dispatches 16 of the 17 tasks (one is left for the office to dispatch), and the
dashboard tells a story. Idempotent."""

import pytest

from tasks_registry.demo import load_demo_supervision
from tasks_registry.models import Branch, ProgressReport, Supervision
from tasks_registry.selectors import supervision_overview

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(no_world):
    from tasks_registry.services import registry_load
    from workflows.demo import load_demo_units_and_people

    load_demo_units_and_people()
    registry_load()


def test_the_demo_dispatches_every_task_with_green_amber_and_red_and_twice_changes_nothing(
    demo_people,
):
    # one test: the demo takes seconds to load (17 tasks, their branches and reports)
    load_demo_supervision()
    overview = supervision_overview()
    assert [s.task.number for s in overview if not s.supervision] == [16]
    lights = {s.light for s in overview if s.supervision}
    assert lights == {"green", "amber", "red"}
    states = {s.supervision.state for s in overview if s.supervision}
    assert {"branches", "consolidating", "reviewing", "closed"} <= states
    assert ProgressReport.objects.exists()

    counts = (Supervision.objects.count(), Branch.objects.count(), ProgressReport.objects.count())
    load_demo_supervision()
    assert (
        Supervision.objects.count(),
        Branch.objects.count(),
        ProgressReport.objects.count(),
    ) == counts
