"""Who may see what. Every view that fetches a unit's object goes through here.

Rules (DESIGN.md §2): the leading group and its office see everything; any
other user sees the objects of their own units, and objects a unit was granted
with a django-guardian object permission (e.g. an application routed to a
bureau). Anything else answers 404, never 403, so an outsider learns nothing.

A model opts in to unit scoping by defining ``unit_scope(units) -> Q`` as a
classmethod (and to a person's own rows by ``user_scope(user) -> Q``); guardian
grants are added on top.
"""

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm

from .models import ACTING_ROLES, Membership, Unit, UnitKind

_CACHE_ATTR = "_zhiji_memberships"


def memberships_of(user) -> list[Membership]:
    """The user's memberships, cached on the user object for the request."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def units_of(user) -> list[Unit]:
    """The units the user acts for (a STAFF membership is not acting: see ``affiliations_of``)."""
    return [m.unit for m in memberships_of(user) if m.role in ACTING_ROLES]


def affiliations_of(user) -> list[Unit]:
    """Every unit the user works at, acting for it or not (a teacher's school)."""
    return [m.unit for m in memberships_of(user)]


def role_in(user, unit: Unit) -> str | None:
    for m in memberships_of(user):
        if m.unit_id == unit.pk:
            return m.role
    return None


def is_member(user, unit: Unit, roles: tuple[str, ...] | None = None) -> bool:
    """True when the user acts for ``unit`` (with one of ``roles``; None: any acting role)."""
    role = role_in(user, unit)
    return role is not None and (role in ACTING_ROLES if roles is None else role in roles)


def is_supervisor(user) -> bool:
    """Leading group and office members (and superusers) see everything."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(
        m.unit.kind in (UnitKind.LEADING_GROUP, UnitKind.OFFICE) for m in memberships_of(user)
    )


def units_of_kind(user, kind: str) -> list[Unit]:
    return [m.unit for m in memberships_of(user) if m.unit.kind == kind]


def _view_perm(model) -> str:
    opts = model._meta
    return f"{opts.app_label}.view_{opts.model_name}"


def visible(user, queryset: QuerySet) -> QuerySet:
    """The part of ``queryset`` the user may see."""
    if not user.is_authenticated:
        return queryset.none()
    if is_supervisor(user):
        return queryset
    model = queryset.model
    condition = _granted(user, model)
    user_scope = getattr(model, "user_scope", None)  # a person's own rows, beside the units'
    if user_scope is not None:
        condition |= user_scope(user)
    scope = getattr(model, "unit_scope", None)
    if scope is not None:
        condition |= scope(units_of(user))
    return queryset.filter(condition)


_PERMISSION_IDS: dict[tuple[int, str], int] = {}


def _granted(user, model) -> Q:
    """The pks of ``model``'s rows the user was granted ``view`` on, directly or through one
    of their groups (a unit's group: ``grant_view``): guardian's object permissions as
    ``get_objects_for_user(accept_global_perms=False, with_superuser=False)`` reads them,
    as one subquery on guardian's tables, without its per-call set-up."""
    from django.contrib.auth.models import Permission
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from .permissions import content_type_for

    ctype = content_type_for(model)
    codename = f"view_{model._meta.model_name}"
    key = (ctype.pk, codename)
    perm_id = _PERMISSION_IDS.get(key)
    if perm_id is None:  # permissions are created by migrate: a found one stays what it is
        perm_id = _PERMISSION_IDS[key] = (
            Permission.objects.filter(content_type=ctype, codename=codename)
            .values_list("pk", flat=True)
            .first()
        )
    if perm_id is None:
        return Q(pk__in=[])
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models.expressions import RawSQL

    pk_field = model._meta.pk
    pk_field = pk_field.target_field if pk_field.is_relation else pk_field
    # the statement guardian's querysets compile to, written once: this runs on every page
    # that looks an object up, and compiling the two subqueries cost more than running them
    q = connection.ops.quote_name
    cast = type(pk_field)().cast_db_type(connection)
    gp, up = GroupObjectPermission._meta, UserObjectPermission._meta
    ug = get_user_model().groups.through._meta

    def col(meta, name):
        return q(meta.get_field(name).column)

    sql = (
        f"SELECT CAST(g.{col(gp, 'object_pk')} AS {cast}) FROM {q(gp.db_table)} g "  # noqa: S608 (quoted names, bound values)
        f"INNER JOIN {q(ug.db_table)} ug ON ug.{col(ug, 'group')} = g.{col(gp, 'group')} "
        f"WHERE g.{col(gp, 'permission')} = %s AND g.{col(gp, 'content_type')} = %s "
        f"AND ug.{col(ug, 'user')} = %s "
        f"UNION ALL SELECT CAST(u.{col(up, 'object_pk')} AS {cast}) FROM {q(up.db_table)} u "
        f"WHERE u.{col(up, 'permission')} = %s AND u.{col(up, 'content_type')} = %s "
        f"AND u.{col(up, 'user')} = %s"
    )
    params = (perm_id, ctype.pk, user.pk, perm_id, ctype.pk, user.pk)
    return Q(pk__in=RawSQL(sql, params, output_field=type(pk_field)()))  # noqa: S611


def get_visible_or_404(user, queryset_or_model, **lookup):
    """One object the user may see, or 404 (also for objects that exist but are not theirs)."""
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, Model)
        else queryset_or_model
    )
    try:
        return visible(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def grant_view(obj: Model, units) -> None:
    """Let the members of ``units`` see ``obj`` (guardian object permission on the unit group)."""
    perm = f"view_{obj._meta.model_name}"
    for unit in units:
        assign_perm(perm, unit.group, obj)
