from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
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
    from .filters import InboxFilterForm

    everything = inbox_rows(request.user)
    form = InboxFilterForm(request.GET or None)
    rows = form.apply(everything)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/inbox.html",
        {
            "rows": page.object_list,
            "page": page,
            "form": form,
            "total": len(everything),
            "units": units_of(request.user),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def notifications(request):
    from .filters import NotificationFilter

    mine = Notification.objects.filter(recipient=request.user)
    filtered = NotificationFilter(request.GET or None, queryset=mine)
    page = Paginator(filtered.qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/notifications.html",
        {
            "page": page,
            "filter": filtered,
            "unread": mine.filter(read_at__isnull=True).count(),
        },
        status=400 if filtered.is_bound and not filtered.form.is_valid() else 200,
    )


@login_required
@require_POST
def notifications_read_all(request):
    from django.contrib import messages
    from django.utils import timezone
    from django.utils.translation import gettext as _

    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("workbench:notifications")


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


def sees_calendar(user) -> bool:
    """The menu offers the calendar to the bureaus and the supervisors (schools need it not)."""
    return is_supervisor(user) or bool(units_of_kind(user, UnitKind.BUREAU))


def _is_office(user) -> bool:
    return user.is_superuser or bool(units_of_kind(user, UnitKind.OFFICE))


@login_required
def calendar(request):
    """Which calendar each year's working days come from; the office enters a missing year."""
    from django.contrib import messages
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .calendar_forms import CalendarYearForm
    from .formviews import run_form
    from .models import CalendarYear
    from .services import calendar_year_enter
    from .workdays import calendar_source

    this_year = timezone.localdate().year
    years = [(y, calendar_source(y)) for y in range(this_year - 1, this_year + 2)]
    context = {
        "years": years,
        "entered": CalendarYear.objects.prefetch_related("days"),
        "is_office": _is_office(request.user),
    }

    def page(form, status=200):
        return render(request, "workflows/calendar.html", {**context, "form": form}, status=status)

    if request.method != "POST":
        return page(
            CalendarYearForm(initial={"year": this_year + 1}) if context["is_office"] else None
        )
    if not context["is_office"]:
        raise PermissionDenied

    def enter(data):
        calendar_year_enter(
            year=data["year"], basis=data["basis"], days=data["parsed"], actor=request.user
        )
        messages.success(
            request,
            _("%(year)s年节假日安排已录入，共 %(n)s 天。")
            % {"year": data["year"], "n": len(data["parsed"])},
        )
        return redirect("workbench:calendar")

    return run_form(CalendarYearForm(request.POST), enter, again=page)


def may_delegate(user) -> bool:
    """The menu offers 我的委托 to those who act for a unit, or stand in for someone."""
    from .delegation import acting_units

    return bool(acting_units(user)) or user.delegations_received.exists()


@login_required
def delegations(request):
    """我的委托: the delegations I gave and received, with their state; the form to name a
    substitute from my unit; 提前结束 for mine."""
    from django.contrib import messages
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .delegation import DelegationForm, default_period, delegation_create, delegations_of
    from .formviews import run_form
    from .people import display_name

    today = timezone.localdate()
    labels = {"not_started": _("未开始"), "active": _("生效中"), "ended": _("已结束")}
    rows = [
        {
            "d": d,
            "given": d.principal_id == request.user.pk,
            "state": (state := d.state(today)),
            "state_label": labels[state],
        }
        for d in delegations_of(request.user)
    ]

    def page(form, status=200):
        return render(
            request,
            "workflows/delegations.html",
            {"rows": rows, "form": form, "today": today},
            status=status,
        )

    may_give = bool(DelegationForm(principal=request.user).fields["unit"].choices)
    if request.method != "POST":
        first, last = default_period(today)
        return page(
            DelegationForm(principal=request.user, initial={"starts_on": first, "ends_on": last})
            if may_give
            else None
        )
    if not may_give:
        raise PermissionDenied

    def create(data):
        d = delegation_create(
            principal=request.user,
            substitute_id=data["substitute"],
            unit_id=data["unit"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
        )
        messages.success(
            request,
            _("已委托 %(who)s 在 %(a)s 至 %(b)s 代为办理%(unit)s的待办，并已通知本人。")
            % {
                "who": display_name(d.substitute),
                "a": d.starts_on,
                "b": d.ends_on,
                "unit": d.unit.name,
            },
        )
        return redirect("workbench:delegations")

    return run_form(DelegationForm(request.POST, principal=request.user), create, again=page)


@login_required
@require_POST
def delegation_end(request, public_id):
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from .delegation import delegation_end as end
    from .exceptions import RuleViolation
    from .people import display_name

    try:
        d = end(principal=request.user, public_id=public_id)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已提前结束对 %(who)s 的委托（原定 %(a)s 至 %(b)s），其不再能看到和办理您的待办。")
            % {"who": display_name(d.substitute), "a": d.starts_on, "b": d.ends_on},
        )
    return redirect("workbench:delegations")
