from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from .access import get_visible_or_404, is_supervisor, units_of, units_of_kind
from .inbox import inbox_rows
from .models import Membership, Notification, Unit, UnitKind
from .services import notification_mark_read


def start_url_for(user) -> str:
    """Each kind of person lands on their own start page after login."""
    candidates = []
    if is_supervisor(user):
        candidates.append("dashboard:index")
    elif units_of_kind(user, UnitKind.BUREAU) or hasattr(user, "expert"):
        candidates.append("workbench:inbox")
    elif units_of_kind(user, UnitKind.SCHOOL):
        candidates.append("applications:index")
    candidates.append("tasks:index")
    for name in candidates:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


@login_required
def home(request):
    return redirect(start_url_for(request.user))


@login_required
def inbox(request):
    rows = inbox_rows(request.user)
    return render(request, "workflows/inbox.html", {"rows": rows, "units": units_of(request.user)})


@login_required
def notifications(request):
    page = Paginator(Notification.objects.filter(recipient=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "workflows/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(user=request.user, notification_id=note.pk)
    return redirect(note.url or "workbench:notifications")


@login_required
def unit_detail(request, public_id):
    """A unit's card and members: for its own members and the supervisors; 404 for others."""
    unit = get_visible_or_404(request.user, Unit, public_id=public_id)
    members = Membership.objects.filter(unit=unit).select_related("user").order_by("role")
    return render(request, "workflows/unit_detail.html", {"unit": unit, "members": members})
