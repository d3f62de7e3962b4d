"""Translatable headers for viewflow 2.4 list columns that it labels with ``pretty_name``.

viewflow's inbox/queue/archive/dashboard lists take a column header from the
attribute's ``short_description`` and otherwise from ``pretty_name(attr)``
("Brief", "Process summary", …), which never goes through gettext. Giving those
attributes a lazy English ``short_description`` lets locale/zh_Hans translate
them (see locale/README.md). Called once from ``WorkflowsConfig.ready()``.
"""

from django.utils.translation import gettext_lazy as _


def label_viewflow_columns():
    from viewflow.workflow.flow.views import dashboard
    from viewflow.workflow.flow.views import list as lists
    from viewflow.workflow.models import Process, Task

    Process.brief.fget.short_description = _("Brief")
    Task.brief.fget.short_description = _("Brief")
    lists.FlowArchiveListView.process_summary.short_description = _("Process summary")
    lists.WorkflowTaskListView.process_brief.short_description = _("Process brief")
    dashboard.DashboardTaskListView.process_summary.short_description = _("Process summary")
    dashboard.DashboardProcessListView.process_id.short_description = _("#")
    dashboard.DashboardProcessListView.active_tasks.short_description = _("Active tasks")
