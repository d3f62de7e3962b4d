"""Delegation (委托/代理): a person names a colleague of their own unit to act on their
to-dos for a period; the records of what the substitute does then read 李四（代 张三）.

The kernel knows no procedure, so a delegation is about a person and a unit only:

* **Who may be named.** The principal and the substitute both act for the delegation's
  unit (an acting role: 经办人, 负责人 or 分管领导); a delegation does not pass a role on:
  every step still needs its own role of whoever acts, checked when they act
  (``check_step_role``), so a 负责人 covering a 分管领导 handles the unit's reviews but
  cannot 签发.
* **No chain.** Someone away (a principal in the period) is not a substitute in it, and a
  substitute in the period does not delegate in it; the to-dos a substitute sees are the
  principal's *own* (``inbox_rows`` runs the providers for the principal only), never what
  was delegated to the principal.
* **Acting on behalf** is explicit: the inbox's delegated rows link with
  ``?on_behalf=<delegation>``, the step's form carries it back, and the service runs the
  action inside ``acting_for(delegation)``. Inside it ``audit_record`` stores
  ``on_behalf_of`` and the actor's name as 李四（代 张三）, and whatever else records an
  actor (a review, a sign-off, a document's signer) asks ``on_behalf_of(actor)``.
"""

import contextlib
import contextvars
from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import memberships_of
from .exceptions import RuleViolation
from .forms import NamedForm
from .i18n import stored
from .models import ACTING_ROLES, Delegation, Membership, Role
from .people import display_name

MAX_DAYS = 90  # the longest period one delegation may cover

_ACTING: contextvars.ContextVar = contextvars.ContextVar("zhiji_delegation", default=None)


# --- reading ----------------------------------------------------------------------------


def _today(on: date | None = None) -> date:
    return on or timezone.localdate()


def _active(on: date) -> Q:
    return Q(ended_at__isnull=True, starts_on__lte=on, ends_on__gte=on)


def active_delegations_for(substitute, on: date | None = None) -> list[Delegation]:
    """The delegations ``substitute`` acts on today (or ``on``)."""
    if not substitute.is_authenticated:
        return []
    return list(
        Delegation.objects.filter(_active(_today(on)), substitute=substitute).select_related(
            "principal", "unit"
        )
    )


def principals_of(user, on: date | None = None) -> list:
    """The people ``user`` stands in for today (or ``on``)."""
    return [d.principal for d in active_delegations_for(user, on)]


def active_delegation(user, public_id, on: date | None = None) -> Delegation:
    """The delegation ``public_id`` that ``user`` acts on today, else 404 (not theirs,
    not begun, ended)."""
    try:
        return (
            Delegation.objects.filter(_active(_today(on)), substitute=user)
            .select_related("principal", "unit")
            .get(public_id=public_id)
        )
    except (Delegation.DoesNotExist, ValueError, TypeError, forms.ValidationError):
        raise Http404 from None


def delegations_of(user):
    """Given and received, newest first."""
    return Delegation.objects.filter(Q(principal=user) | Q(substitute=user)).select_related(
        "principal", "substitute", "unit"
    )


def acting_units(user) -> list:
    """The units ``user`` acts for (may delegate for)."""
    return [m.unit for m in memberships_of(user) if m.role in ACTING_ROLES]


def colleagues(user, unit):
    """Whom ``user`` may name for ``unit``: the unit's other acting members."""
    return (
        Membership.objects.filter(unit=unit, role__in=list(ACTING_ROLES), user__is_active=True)
        .exclude(user=user)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )


# --- acting on behalf -----------------------------------------------------------------------


@contextlib.contextmanager
def acting_for(delegation: Delegation | None):
    """Everything recorded inside is recorded for ``delegation.principal`` when its
    substitute is the actor (``on_behalf_of``). ``None``: no delegation, nothing changes."""
    token = _ACTING.set(delegation)
    try:
        yield
    finally:
        _ACTING.reset(token)


def standing_in(actor) -> Delegation | None:
    """The delegation ``actor`` acts through right now (inside ``acting_for``, as its
    substitute), or None."""
    delegation = _ACTING.get()
    if delegation is None or actor is None or delegation.substitute_id != getattr(actor, "pk", 0):
        return None
    return delegation


def on_behalf_of(actor):
    """The principal ``actor`` is acting for right now, or None."""
    delegation = standing_in(actor)
    return delegation.principal if delegation else None


def not_their_todo(step_label, delegation: Delegation) -> str:
    """The refusal when a step is not the principal's to-do in the delegation's unit."""
    return _("「%(step)s」不是 %(who)s 在%(unit)s的待办，不能代为办理。") % {
        "step": _(str(step_label)),
        "who": display_name(delegation.principal),
        "unit": delegation.unit.name,
    }


def check_delegated_step(
    delegation: Delegation, actor, *, unit, principal_waits: bool, roles, step_label
) -> None:
    """The one rule of acting on behalf, for every kind of to-do: the step waits on the
    delegation's ``unit`` and on the principal there (``principal_waits``), and the actor
    holds the step's ``roles`` there themselves (None: any acting role)."""
    if unit is None or unit.pk != delegation.unit_id or not principal_waits:
        raise RuleViolation(not_their_todo(step_label, delegation))
    check_step_role(delegation, actor, roles=roles, step_label=step_label)


def check_step_role(delegation: Delegation, actor, *, roles, step_label) -> None:
    """A delegation passes no role on: the substitute needs the step's role themselves."""
    mine = next(
        (m.role for m in memberships_of(actor) if m.unit_id == delegation.unit_id),
        None,
    )
    allowed = ACTING_ROLES if roles is None else tuple(roles)
    if mine in allowed:
        return
    needed = "、".join(str(Role(r).label) for r in allowed)
    raise RuleViolation(
        _(
            "「%(step)s」须由%(needed)s办理；委托不转移角色，您在%(unit)s的角色是%(mine)s，"
            "不能代 %(principal)s 办理此环节。"
        )
        % {
            "step": _(str(step_label)),
            "needed": needed,
            "unit": delegation.unit.name,
            "mine": Role(mine).label if mine else _("无"),
            "principal": display_name(delegation.principal),
        }
    )


# --- the form and the services ----------------------------------------------------------------


class DelegationForm(NamedForm):
    """The principal's form: the unit (when they act for several), the colleague, the period."""

    unit = forms.TypedChoiceField(label=gettext_lazy("单位"), coerce=int)
    substitute = forms.TypedChoiceField(label=gettext_lazy("代理人"), coerce=int)
    starts_on = forms.DateField(
        label=gettext_lazy("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("含当日；最长 90 天。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("委托事由"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：外出学习")}),
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        units = acting_units(principal)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        choices = []
        for unit in units:
            for m in colleagues(principal, unit):
                label = f"{display_name(m.user)}（{m.get_role_display()}）"
                choices.append((m.user_id, f"{unit.name} · {label}" if len(units) > 1 else label))
        self.fields["substitute"].choices = [("", "——"), *choices]
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
            self.fields["unit"].widget = forms.HiddenInput()
        for name in ("unit", "substitute", "starts_on", "ends_on", "reason"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "「%(label)s」请从列表中选择。"
            ) % {"label": self.fields[name].label}
        self.fields["starts_on"].error_messages["invalid"] = _(
            "「开始日期」格式不正确，请按 2026-12-10 的格式填写。"
        )
        self.fields["ends_on"].error_messages["invalid"] = _(
            "「结束日期」格式不正确，请按 2026-12-20 的格式填写。"
        )


def _overlapping(starts_on: date, ends_on: date) -> Q:
    return Q(ended_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on)


@transaction.atomic
def delegation_create(
    *, principal, substitute_id: int, unit_id: int, starts_on: date, ends_on: date, reason: str
) -> Delegation:
    """Name ``substitute_id`` for ``principal``'s to-dos of ``unit_id`` from ``starts_on`` to
    ``ends_on`` (inclusive). Every refusal names its field and the rule."""
    from .services import audit_record, notify

    today = timezone.localdate()
    unit = next((u for u in acting_units(principal) if u.pk == unit_id), None)
    if unit is None:
        raise RuleViolation(_("「单位」只能是您担任经办人、负责人或分管领导的单位。"), field="unit")
    if substitute_id == principal.pk:
        raise RuleViolation(_("「代理人」不能是您本人。"), field="substitute")
    member = colleagues(principal, unit).filter(user_id=substitute_id).first()
    if member is None:
        raise RuleViolation(
            _("「代理人」须是%(unit)s的经办人、负责人或分管领导。") % {"unit": unit.name},
            field="substitute",
        )
    substitute = member.user
    if starts_on < today:
        raise RuleViolation(
            _("「开始日期」不能早于今天（%(today)s）。") % {"today": today}, field="starts_on"
        )
    if ends_on < starts_on:
        raise RuleViolation(_("「结束日期」不能早于「开始日期」。"), field="ends_on")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise RuleViolation(
            _("「结束日期」：一次委托最长 %(n)s 天（含首尾两日）。") % {"n": MAX_DAYS},
            field="ends_on",
        )
    period = _overlapping(starts_on, ends_on)
    # one principal at a time: the rows of both people are locked so two requests at once
    # cannot both pass the checks below
    list(
        get_user_model()
        .objects.select_for_update()
        .filter(pk__in=[principal.pk, substitute.pk])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    mine = Delegation.objects.filter(period, principal=principal).first()
    if mine is not None:
        raise RuleViolation(
            _("「开始日期」：您在 %(a)s 至 %(b)s 已委托 %(who)s，期间不能重叠。")
            % {"a": mine.starts_on, "b": mine.ends_on, "who": display_name(mine.substitute)},
            field="starts_on",
        )
    received = Delegation.objects.filter(period, substitute=principal).first()
    if received is not None:
        raise RuleViolation(
            _(
                "「代理人」：%(a)s 至 %(b)s 您正代 %(who)s 办理，委托不能转委托，"
                "这段时间不能再委托他人。"
            )
            % {
                "a": received.starts_on,
                "b": received.ends_on,
                "who": display_name(received.principal),
            },
            field="substitute",
        )
    away = Delegation.objects.filter(period, principal=substitute).first()
    if away is not None:
        raise RuleViolation(
            _(
                "「代理人」：%(who)s 在 %(a)s 至 %(b)s 已委托他人办理，委托不能转委托，"
                "请另选代理人或调整期间。"
            )
            % {"who": display_name(substitute), "a": away.starts_on, "b": away.ends_on},
            field="substitute",
        )
    delegation = Delegation.objects.create(
        principal=principal,
        substitute=substitute,
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
    )
    audit_record(
        actor=principal,
        action="delegation_created",
        obj=delegation,
        unit=unit,
        after={
            "substitute": display_name(substitute),
            "starts_on": str(starts_on),
            "ends_on": str(ends_on),
        },
        note=delegation.reason,
    )
    from django.urls import reverse

    notify(
        recipients=[substitute],
        unit=unit,
        title=stored(
            "%(who)s 委托您 %(a)s 至 %(b)s 代为办理%(unit)s的待办",
            who=display_name(principal),
            a=starts_on,
            b=ends_on,
            unit=unit.name,
        ),
        body=delegation.reason,
        url=reverse("workbench:delegations"),
    )
    return delegation


@transaction.atomic
def delegation_end(*, principal, public_id) -> Delegation:
    """The principal ends their delegation now (others: 404; already ended: refused)."""
    from .services import audit_record, notify

    delegation = get_object_or_404(
        Delegation.objects.select_for_update().select_related("substitute", "unit"),
        public_id=public_id,
        principal=principal,
    )
    if delegation.state(timezone.localdate()) == "ended":
        raise RuleViolation(_("该委托已结束，无需再结束。"))
    delegation.ended_at = timezone.now()
    delegation.save(update_fields=["ended_at"])
    audit_record(actor=principal, action="delegation_ended", obj=delegation, unit=delegation.unit)
    from django.urls import reverse

    notify(
        recipients=[delegation.substitute],
        unit=delegation.unit,
        title=stored("%(who)s 已提前结束对您的委托", who=display_name(principal)),
        url=reverse("workbench:delegations"),
    )
    return delegation


def default_period(today: date | None = None) -> tuple[date, date]:
    today = _today(today)
    return today, today + timedelta(days=6)


class OnBehalfForm(NamedForm):
    """The delegation a page was opened through (``?on_behalf=``) or a form posts back."""

    on_behalf = forms.UUIDField(label=gettext_lazy("代理"), required=False)


def delegation_from(data, user) -> Delegation | None:
    """The active delegation ``user`` named in ``data`` (GET or POST), None when none was
    named; 404 when it is malformed, not theirs, not begun or over."""
    form = OnBehalfForm(data)
    if not form.is_valid():
        raise Http404
    public_id = form.cleaned_data["on_behalf"]
    return None if public_id is None else active_delegation(user, public_id)


def with_on_behalf(url: str, delegation: Delegation) -> str:
    return f"{url}{'&' if '?' in url else '?'}on_behalf={delegation.public_id}"


def request_delegation(request) -> Delegation | None:
    """The delegation a request names (``on_behalf`` in the query or the posted form)."""
    return delegation_from(request.POST if request.method == "POST" else request.GET, request.user)
