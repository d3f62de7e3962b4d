"""System checks: every registered procedure's flow and steps agree (one order, one truth)."""

from django.core.checks import Error, register
from viewflow.workflow import flow

from .registry import procedures


def flow_step_mismatches(procedure) -> list[str]:
    """What differs between the flow's person-facing nodes and the procedure's steps."""
    problems = []
    flow_class = procedure.flow_class
    if flow_class is None:
        return ["no flow_class"]
    handles = [
        node.name
        for node in flow_class.instance.nodes()
        if isinstance(node, flow.Handle) and not isinstance(node, flow.StartHandle)
    ]
    names = [s.name for s in procedure.steps]
    for missing in sorted(set(names) - set(handles)):
        problems.append(f"step {missing!r} has no Handle node in {flow_class.__name__}")
    for extra in sorted(set(handles) - set(names)):
        problems.append(f"Handle node {extra!r} of {flow_class.__name__} is not a step")
    if len(set(names)) != len(names):
        problems.append("two steps share a name")
    return problems


@register()
def procedures_match_their_flows(app_configs, **kwargs):
    return [
        Error(
            f"Procedure {p.code!r}: {problem}",
            hint="List the procedure's steps in order and build the flow with "
            "approvals.common.flows.approval_flow, or make the hand-written flow's Handle "
            "nodes the steps' names.",
            id="approvals.E001",
        )
        for p in procedures()
        for problem in flow_step_mismatches(p)
    ]
