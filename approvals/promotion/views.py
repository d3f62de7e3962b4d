"""Pages of dual-track promotion beside the kernel's: a person's record, the school's people.

Every object is fetched through ``get_visible_or_404``: a person sees their own record,
their school sees its people's, the leading group and its office everyone's; anyone
else gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from approvals.common.selectors import applications_for
from workflows.access import get_visible_or_404, is_member, visible
from workflows.formviews import run_form

from . import services
from .forms import CredentialForm
from .models import PersonRecord
from .rules import ROUTES


def _record_context(request, record, form=None):
    return {
        "record": record,
        "credentials": record.credentials.select_related("application"),
        "applications": applications_for(request.user)
        .filter(procedure="promotion", applicant_person=record.user)
        .order_by("-id"),
        "routes": ROUTES,
        "may_record": is_member(request.user, record.school),
        "form": form or CredentialForm(),
        "is_self": record.user_id == request.user.pk,
    }


@login_required
def my_record(request):
    record = PersonRecord.objects.filter(user=request.user).first()
    if record is None:
        return render(request, "promotion/record.html", {"record": None, "routes": ROUTES})
    return render(request, "promotion/record.html", _record_context(request, record))


@login_required
def people(request):
    records = visible(request.user, PersonRecord.objects.select_related("user", "school"))
    return render(request, "promotion/people.html", {"records": records[:500], "routes": ROUTES})


@login_required
def person(request, public_id):
    record = get_visible_or_404(request.user, PersonRecord, public_id=public_id)
    if request.method != "POST":
        return render(request, "promotion/record.html", _record_context(request, record))
    form = CredentialForm(request.POST)

    def done(_credential):
        messages.success(request, _("已登记。"))
        return redirect("promotion:person", record.public_id)

    def again(bound):
        return render(request, "promotion/record.html", _record_context(request, record, bound))

    return run_form(
        form,
        lambda cleaned: services.credential_add(record=record, actor=request.user, **cleaned),
        done=done,
        again=again,
    )
