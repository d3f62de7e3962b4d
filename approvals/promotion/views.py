"""Pages of dual-track promotion beside the kernel's: a person's record, the school's people.

Every object is fetched through ``get_visible_or_404``: a person sees their own record,
their school sees its people's, the leading group and its office everyone's; anyone
else gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from approvals.common.selectors import applications_for
from workflows.access import get_visible_or_404, is_member, is_supervisor, visible
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


def panel_results(user):
    """The tallied review committees the user may read: the leading group and its office
    all, the organising bureau its own; None for anyone else."""
    from workflows.units import HRSS, unit_by_code

    from .models import Panel, PanelState

    panels = Panel.objects.filter(state=PanelState.TALLIED).select_related(
        "application__applicant_unit", "application__applicant_person", "application__promotion"
    )
    if is_supervisor(user):
        return panels
    if is_member(user, unit_by_code(HRSS)):
        return panels.filter(organiser=unit_by_code(HRSS))
    return None


@login_required
def panel_results_xlsx(request):
    """评审委员会评审结果汇总表 (.xlsx): one row per tallied committee, counts only."""
    from urllib.parse import quote

    from django.utils import timezone

    from approvals.common.exports import table_workbook
    from workflows.people import display_name

    from .rules import votes_needed

    panels = panel_results(request.user)
    if panels is None:
        raise Http404
    rows = []
    for panel in panels.order_by("tallied_at", "id"):
        app = panel.application
        rows.append(
            [
                app.title,
                display_name(app.applicant_person) if app.applicant_person_id else "",
                app.applicant_unit.name,
                app.promotion.get_route_display(),
                panel.members.count(),
                panel.attending,
                panel.yes,
                panel.no,
                panel.abstain,
                votes_needed(panel.attending or 0),
                "通过" if panel.passed else "未通过",
                timezone.localtime(panel.tallied_at).replace(tzinfo=None),
            ]
        )
    content = table_workbook(
        "评审结果",
        [
            "申请",
            "申请人",
            "所在学校",
            "申报方向",
            "委员人数",
            "出席人数",
            "同意",
            "不同意",
            "弃权",
            "通过所需票数",
            "评审结果",
            "计票时间",
        ],
        rows,
        [40, 10, 24, 24, 9, 9, 6, 7, 6, 12, 9, 17],
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename=panel-results.xlsx; "
        f"filename*=UTF-8''{quote('评审委员会评审结果汇总表.xlsx')}"
    )
    return response
