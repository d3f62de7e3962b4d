import pytest

from approvals.common.models import Application
from approvals.promotion.demo import DEMO_PEOPLE, load_demo_promotion
from approvals.promotion.models import Credential, Panel, PersonRecord
from workflows.demo import load_demo_units_and_people

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_teacher_and_a_technician_in_several_states_and_is_idempotent():
    load_demo_units_and_people()
    load_demo_promotion()
    load_demo_promotion()
    apps = Application.objects.filter(procedure="promotion")
    assert apps.count() == len(DEMO_PEOPLE) and PersonRecord.objects.count() == len(DEMO_PEOPLE)
    steps = {a.applicant_person.username: (a.status, a.current_step) for a in apps}
    assert steps["s06-technician"] == ("in_review", "panel_vote")
    assert steps["s01-teacher"] == ("publicity", "school_notice")
    assert steps["s04-teacher"][0] == "approved"
    assert steps["s02-teacher"] == ("returned", "amend")
    assert steps["s11-technician"][0] == "draft"
    granted = Credential.objects.get(application__isnull=False)
    assert granted.grade == "technician" and granted.document_number
    panel = Panel.objects.get(application__applicant_person__username="s06-technician")
    assert panel.members.count() == 9
    assert not panel.members.filter(expert__affiliation__code="s06").exists()
