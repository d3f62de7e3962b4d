"""Keep each unit's permission group in step with its memberships."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership


@receiver(post_save, sender=Membership)
def _join_unit_group(sender, instance: Membership, **kwargs):
    instance.user.groups.add(instance.unit.group)


@receiver(post_delete, sender=Membership)
def _leave_unit_group(sender, instance: Membership, **kwargs):
    instance.user.groups.remove(instance.unit.group)
