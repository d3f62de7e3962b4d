"""Keep each unit's permission group in step with its memberships.

Only people who act for a unit are in its group: what is granted to the unit (a
routed application, a document) reaches them, not the unit's staff members, who
see only what is theirs.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import ACTING_ROLES, Membership


@receiver(post_save, sender=Membership)
def _join_unit_group(sender, instance: Membership, **kwargs):
    if instance.role in ACTING_ROLES:
        instance.user.groups.add(instance.unit.group)
    else:
        instance.user.groups.remove(instance.unit.group)


@receiver(post_delete, sender=Membership)
def _leave_unit_group(sender, instance: Membership, **kwargs):
    instance.user.groups.remove(instance.unit.group)
