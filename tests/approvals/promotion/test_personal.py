"""ID numbers: checked when stored (GB 11643 check character), masked in lists, snapshots and
the result document; the full number only on the person's own record page."""

import pytest
from django.urls import reverse

from approvals.promotion.documents import result_document
from approvals.promotion.personal import mask_id_number
from approvals.promotion.services import person_enrol
from tests.factories import UserFactory
from workflows.exceptions import RuleViolation

from .conftest import ID_NUMBER, applied

pytestmark = pytest.mark.django_db
MASKED = "3310**********0024"


def test_masking_keeps_four_and_four():
    assert mask_id_number(ID_NUMBER) == MASKED
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("33100219850315002", "应为 18 位"),
        ("331002198502300024", "出生日期不是有效日期"),
        ("331002198503150025", "校验位不正确"),
    ],
)
def test_a_wrong_id_number_is_refused_naming_the_field(world, value, words):
    with pytest.raises(RuleViolation) as refused:
        person_enrol(user=UserFactory(), school=world.school, id_number=value)
    assert refused.value.field == "id_number" and words in refused.value.message
    assert "「身份证号」" in refused.value.message


def test_the_number_is_masked_everywhere_but_on_the_persons_own_page(world, people, login):
    tech = people["technician"]
    own = login(tech).get(reverse("promotion:record")).content.decode()
    assert ID_NUMBER in own
    listing = login(world.technical_head).get(reverse("promotion:people")).content.decode()
    assert MASKED in listing and ID_NUMBER not in listing
    from approvals.promotion.models import PersonRecord

    record = PersonRecord.objects.get(user=tech)
    page = login(world.technical_head).get(reverse("promotion:person", args=[record.public_id]))
    assert MASKED in page.content.decode() and ID_NUMBER not in page.content.decode()
    app = applied(tech)
    from approvals.common.registry import procedure_for

    assert procedure_for(app).snapshot(app)["身份证号"] == MASKED
    detail = login(world.technical_head).get(reverse("applications:detail", args=[app.public_id]))
    assert MASKED in detail.content.decode() and ID_NUMBER not in detail.content.decode()
    document = result_document(app)
    table = next(b for b in document.body if b["type"] == "table")
    assert table["rows"][0][1] == MASKED and ID_NUMBER not in str(document)
