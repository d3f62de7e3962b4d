from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from .selectors import assigned_units_bulk, key_tasks_by_measure, key_tasks_with_units


@login_required
def task_list(request):
    groups = key_tasks_by_measure()
    assigned = assigned_units_bulk([t for _key, tasks in groups for t in tasks])
    return render(
        request, "tasks_registry/task_list.html", {"groups": groups, "assigned": assigned}
    )


@login_required
def task_detail(request, number: int):
    task = key_tasks_with_units().filter(number=number).first()
    if task is None:
        raise Http404
    assigned = assigned_units_bulk([task])[task.pk]
    return render(
        request,
        "tasks_registry/task_detail.html",
        {
            "task": task,
            "bureaus": [u for u in assigned if u.kind == "bureau"],
            "schools": [u for u in assigned if u.kind == "school"],
        },
    )


@login_required
def dashboard(request):
    """Placeholder until the supervision dashboard lands (issue 4)."""
    groups = key_tasks_by_measure()
    return render(request, "tasks_registry/dashboard.html", {"groups": groups})
