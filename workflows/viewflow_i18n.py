"""Where viewflow 2.4 builds English labels outside gettext, make them translatable.

- List column headers: viewflow's inbox/queue/archive/dashboard lists take a
  header from the attribute's ``short_description`` and otherwise from
  ``pretty_name(attr)`` ("Brief", "Process summary", …), which never goes through
  gettext. Lazy English ``short_description``s let locale/zh_Hans translate them.
- The "task" filter of those lists labels each node ``"<process title>/<node
  name>.title()"`` ("审批/Approve"); it uses the node's Chinese
  ``.Annotation(title=...)`` instead.

See locale/README.md. Called once from ``WorkflowsConfig.ready()``.
"""

from django.utils.translation import gettext_lazy as _


def flow_task_choices(queryset):
    """viewflow's ``get_queryset_flow_task_choices``, labelled with the node's title."""
    from viewflow.workflow.fields import get_task_ref

    tasks = queryset.order_by("flow_task").values_list("flow_task", flat=True).distinct()
    return [
        (
            get_task_ref(node),
            f"{node.flow_class.process_title}/{node.task_title or node.name.title()}",
        )
        for node in tasks
    ]


def label_viewflow_columns():
    from viewflow.workflow.flow.views import dashboard, filters
    from viewflow.workflow.flow.views import list as lists
    from viewflow.workflow.models import Process, Task

    Process.brief.fget.short_description = _("Brief")
    Task.brief.fget.short_description = _("Brief")
    lists.FlowArchiveListView.process_summary.short_description = _("Process summary")
    lists.WorkflowTaskListView.process_brief.short_description = _("Process brief")
    dashboard.DashboardTaskListView.process_summary.short_description = _("Process summary")
    dashboard.DashboardProcessListView.process_id.short_description = _("#")
    dashboard.DashboardProcessListView.active_tasks.short_description = _("Active tasks")
    # the FilterSets call this module-level function from their __init__
    filters.get_queryset_flow_task_choices = flow_task_choices
