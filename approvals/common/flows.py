"""The flow of a procedure, built from its ordered steps: one source of truth for the order.

``approval_flow`` writes the viewflow class a procedure would otherwise write by
hand: a ``StartHandle`` and one ``StepNode`` per step — a ``Handle`` that routes
by itself, like a ``Handle`` followed by a ``Switch`` but without the Switch's
task row, link rows and second pass through the lock — on the outcome the kernel
recorded (``application.last_outcome``): approved → the next step (the
``approved`` end after the last), returned → the amendment step, anything else →
the ``closed`` end. After the amendment the flow goes back to the step that
returned it (``application.returned_from``). The process and its task rows are
viewflow's as ever: one DONE task per step passed, linked to the next.
``checks.py`` verifies at start-up that every registered procedure's flow and
steps agree, for hand-written flows too.
"""

import sys

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.handle import HandleActivation

from workflows.locks import process_lock

from .steps import AmendStep


class StepActivation(HandleActivation):
    """A step's activation: on completion it creates the task of the branch that matches."""

    next_activations = ()

    @Activation.status.super()
    def create_next(self):
        for node, condition in self.flow_task._branches:
            if condition is None or condition(self):
                self.next_activations = [node._create(self, self.task.token)]
                yield from self.next_activations
                return
        raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class StepNode(flow.Handle):
    """A person's step: a ``Handle`` (run by the kernel's services) whose outgoing edges
    are ``Case``s on the activation, the first that holds taken, then ``Default``."""

    activation_class = StepActivation

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._branches = []

    def Case(self, node, condition):  # noqa: N802 (viewflow's naming)
        self._branches.append((node, condition))
        return self

    def Default(self, node):  # noqa: N802
        self._branches.append((node, None))
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._branches = [
            (this.resolve(instance, node), this.resolve(instance, cond))
            for node, cond in self._branches
        ]

    def _outgoing(self):
        for node, condition in self._branches:
            yield Edge(src=self, dst=node, edge_class="cond_true" if condition else "default")


def _outcome(value):
    def check(activation):
        return activation.process.application.last_outcome == value

    return check


def _returned_from(step):
    def check(activation):
        return activation.process.application.returned_from == step

    return check


def approval_flow(name: str, module: str, *, steps, process_class, title, doc: str = ""):
    """A viewflow ``Flow`` subclass named ``name`` in ``module`` (where it must be assigned,
    so that viewflow finds it again by its dotted path)."""
    main = [s for s in steps if not isinstance(s, AmendStep)]
    amend = next((s for s in steps if isinstance(s, AmendStep)), None)
    attrs = {
        "__module__": module,
        "__doc__": doc or str(title),
        "process_class": process_class,
        "lock_impl": process_lock,
        "process_title": title,
        "start": flow.StartHandle().Next(getattr(this, main[0].name)),
        "approved": flow.End(),
        "closed": flow.End(),
    }
    for index, step in enumerate(main):
        following = main[index + 1].name if index + 1 < len(main) else "approved"
        node = StepNode().Annotation(title=step.label)
        node = node.Case(getattr(this, following), _outcome("approved"))
        if amend is not None:
            node = node.Case(getattr(this, amend.name), _outcome("returned"))
        attrs[step.name] = node.Default(this.closed)
    if amend is not None:
        node = StepNode().Annotation(title=amend.label)
        for step in main[1:]:
            node = node.Case(getattr(this, step.name), _returned_from(step.name))
        attrs[amend.name] = node.Default(getattr(this, main[0].name))
    flow_class = type(name, (flow.Flow,), attrs)
    setattr(sys.modules[module], name, flow_class)
    return flow_class
