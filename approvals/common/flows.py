"""The flow of a procedure, built from its ordered steps: one source of truth for the order.

``approval_flow`` writes the viewflow class a procedure would otherwise write by
hand: a ``StartHandle``, one ``Handle`` per step, and after each a ``Switch``
that routes on the outcome the kernel recorded (``application.last_outcome``):
approved → the next step (the ``approved`` end after the last), returned → the
amendment step, anything else → the ``closed`` end. After the amendment the
flow goes back to the step that returned it (``application.returned_from``).
``checks.py`` verifies at start-up that every registered procedure's flow and
steps agree, for hand-written flows too.
"""

import sys

from viewflow import this
from viewflow.workflow import flow

from workflows.locks import process_lock

from .steps import AmendStep


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
        after = f"after_{step.name}"
        following = main[index + 1].name if index + 1 < len(main) else "approved"
        attrs[step.name] = flow.Handle().Annotation(title=step.label).Next(getattr(this, after))
        switch = flow.Switch().Case(getattr(this, following), _outcome("approved"))
        if amend is not None:
            switch = switch.Case(getattr(this, amend.name), _outcome("returned"))
        attrs[after] = switch.Default(this.closed)
    if amend is not None:
        attrs[amend.name] = (
            flow.Handle().Annotation(title=amend.label).Next(getattr(this, f"after_{amend.name}"))
        )
        switch = flow.Switch()
        for step in main[1:]:
            switch = switch.Case(getattr(this, step.name), _returned_from(step.name))
        attrs[f"after_{amend.name}"] = switch.Default(getattr(this, main[0].name))
    flow_class = type(name, (flow.Flow,), attrs)
    setattr(sys.modules[module], name, flow_class)
    return flow_class
