"""Where pilot selection's rules come from, and the units that act in it."""

from django.utils.translation import gettext_lazy as _

from workflows.units import unit_by_code

# cited in every refusal (the annex row this procedure serves)
TASK_6 = _("根据《台州市职技融通改革实施方案》附件重点任务第6项（遴选职技融通改革试点院校）")

CODE = "pilot_selection"
PANEL_MIN = 3


def edu():
    return unit_by_code("edu")


def hrss():
    return unit_by_code("hrss")


def office():
    return unit_by_code("office")


def leading_group():
    return unit_by_code("leading-group")


def organisers() -> list:
    """The units that run a round and see all of it (the office and leading group see all)."""
    return [edu(), hrss()]
