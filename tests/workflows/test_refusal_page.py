"""A refused page says why: the 403 page shows the refusal the service or view raised, in
the reader's language, and no more than the generic text where there is no reason."""

import pytest
from django.urls import reverse

from tests.pages import in_english, text_of

pytestmark = pytest.mark.django_db


def test_a_school_opening_a_pilot_round_is_told_who_runs_rounds(world, login):
    refused = login(world.school_head).get(reverse("pilot_selection:round_new"))
    assert refused.status_code == 403
    assert "您无权访问此页面" in text_of(refused)
    assert "试点院校遴选批次由市教育局、市人力社保局组织。" in text_of(refused)


def test_the_reason_is_english_for_an_english_reader(world, login):
    refused = in_english(login(world.school_head)).get(reverse("pilot_selection:round_new"))
    assert refused.status_code == 403
    assert (
        "Pilot selection rounds are run by the Municipal Education Bureau and the Human "
        "Resources and Social Security Bureau." in text_of(refused)
    )
    assert "试点院校遴选批次" not in text_of(refused)


def test_a_refusal_without_a_reason_shows_only_the_generic_text(world, login):
    refused = login(world.school_handler).get("/dashboard/")
    assert refused.status_code == 403
    assert "zj-refusal" not in refused.content.decode()
