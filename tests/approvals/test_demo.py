import pytest

from approvals.common.models import Application
from approvals.dual_plaque.demo import DEMO_APPLICATIONS, load_demo_applications
from approvals.dual_plaque.models import SchoolPlaque
from workflows.demo import load_demo_units_and_people

pytestmark = pytest.mark.django_db


def test_the_demo_loader_adds_applications_in_every_state_and_is_idempotent(settings, tmp_path):
    load_demo_units_and_people()
    load_demo_applications()
    load_demo_applications()
    assert Application.objects.count() == len(DEMO_APPLICATIONS)
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {"draft", "in_review", "returned", "publicity", "approved", "rejected"}
    assert SchoolPlaque.objects.get().school.code == "s10"
