"""What other apps show on an annex task's page, registered by them (as the inbox is).

tasks_registry knows the plan's 17 key tasks, not the procedures that serve them.
A procedure registers a panel for its task from its ``AppConfig.ready()``:
``register_task_panel(2, template="…", context=lambda user: {...})``; the task
page renders every panel registered for its number, in registration order.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TaskPanel:
    key: str
    template: str
    context: Callable  # (user) -> dict | None (None: nothing to show this user)


_PANELS: dict[int, dict[str, TaskPanel]] = {}


def register_task_panel(task_number: int, *, key: str, template: str, context: Callable) -> None:
    _PANELS.setdefault(int(task_number), {})[key] = TaskPanel(key, template, context)


def panels_for(task_number: int, user) -> list[dict]:
    rendered = []
    for panel in _PANELS.get(int(task_number), {}).values():
        context = panel.context(user)
        if context is not None:
            rendered.append({"template": panel.template, **context})
    return rendered


def registered_tasks() -> set[int]:
    return set(_PANELS)
