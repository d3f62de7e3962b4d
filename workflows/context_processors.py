from .access import memberships_of


def membership(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    members = memberships_of(user)
    return {
        "my_memberships": members,
        "my_units": [m.unit for m in members],
        "is_supervisor": any(m.unit.is_supervisor for m in members) or user.is_superuser,
        "unread_notifications": _unread(user),
    }


def _unread(user) -> int:
    from .models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
