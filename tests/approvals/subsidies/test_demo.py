import pytest

from approvals.common.models import Application
from approvals.subsidies.demo import load_demo_subsidies
from approvals.subsidies.models import AwardImport, BudgetLine, Reservation
from workflows.demo import load_demo_units_and_people

pytestmark = pytest.mark.django_db


def test_the_subsidies_demo_loads_every_kind_and_is_idempotent():
    from docs_gen.demo import ensure_issuers

    load_demo_units_and_people()
    ensure_issuers()
    load_demo_subsidies()
    counts = (Application.objects.count(), Reservation.objects.count(), AwardImport.objects.count())
    load_demo_subsidies()
    assert (
        Application.objects.count(),
        Reservation.objects.count(),
        AwardImport.objects.count(),
    ) == counts
    assert set(Application.objects.values_list("procedure", flat=True)) == {
        "hosting",
        "apprenticeship",
        "social_training",
    }
    assert BudgetLine.objects.count() == 3
    assert AwardImport.objects.get().awardees.count() == 5  # 1st–5th of a class-1 competition
