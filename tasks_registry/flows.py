"""The supervision flow (督查督办) of one key task — DESIGN.md §4.1.

    下达 (office) → 分解到各责任单位 → 各单位办理 → 牵头单位汇总 → 办结审核 → 办结
                                        ↑_____________ 退回 ______________|

The per-unit work (签收, 进度报送 each cycle, 申报完成) is not a viewflow task per
unit: it lives in ``Branch`` rows with their own small state machine (compare-and-set
under this flow's process lock), so the dashboard can read every unit's state, due
date and progress with one query. The flow waits on the ``branches`` Handle, which
the service that completes the *last* open branch fires; a return from review
reopens the chosen branches and routes the flow back to that same Handle.

Who may act is checked by the services (tasks_registry.services), which are the
only callers of the Handle nodes.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.base import Edge

from workflows.locks import process_lock

from .models import SupervisionProcess, SupervisionState


class If(flow.If):
    """viewflow's If, whose chart labels its branches in the UI language (是 / 否), not
    in English."""

    def _outgoing(self):
        labels = {"cond_true": _("是"), "cond_false": _("否")}
        for edge in super()._outgoing():
            yield Edge(
                src=edge.src,
                dst=edge.dst,
                edge_class=edge.edge_class,
                label=str(labels.get(edge.edge_class, edge.label or "")),
            )


class SupervisionFlow(flow.Flow):
    process_class = SupervisionProcess
    lock_impl = process_lock
    process_title = _("重点任务督办")
    process_description = _("下达、各单位签收报送、牵头汇总、办结审核")

    start = (
        flow.StartHandle(this.start_process)
        .Annotation(title=_("下达任务"))
        .Next(this.open_branches)
    )
    open_branches = (
        flow.Function(this.create_branches)
        .Annotation(title=_("分解到责任单位"))
        .Next(this.branches)
    )
    branches = flow.Handle().Annotation(title=_("各单位签收·报送·完成")).Next(this.consolidate)
    consolidate = flow.Handle().Annotation(title=_("牵头单位汇总")).Next(this.review)
    review = flow.Handle().Annotation(title=_("办结审核")).Next(this.closed_or_returned)
    closed_or_returned = (
        If(this.is_closed).Annotation(title=_("办结？")).Then(this.end).Else(this.branches)
    )
    end = flow.End().Annotation(title=_("办结"))

    def start_process(self, activation, supervision):
        activation.process.artifact = supervision
        return activation.process

    def create_branches(self, activation):
        from .services import branches_open

        branches_open(supervision=activation.process.artifact)

    def is_closed(self, activation):
        return activation.process.artifact.state == SupervisionState.CLOSED
