import pytest

from approvals.common.models import Round
from approvals.pilot_selection.demo import load_demo_rounds
from approvals.pilot_selection.models import PilotSchool
from approvals.pilot_selection.services import round_stage
from workflows.demo import load_demo_units_and_people

pytestmark = pytest.mark.django_db


def test_demo_adds_a_decided_round_with_its_document_and_one_in_scoring(settings):
    load_demo_units_and_people()
    load_demo_rounds()
    load_demo_rounds()
    rounds = list(Round.objects.filter(procedure="pilot_selection").order_by("year"))
    assert [round_stage(r) for r in rounds] == ["finished", "scoring"]
    assert rounds[0].document_id is not None
    assert PilotSchool.objects.filter(round=rounds[0]).count() == 2
    assert rounds[1].applications.filter(current_step="scoring").count() == 3
