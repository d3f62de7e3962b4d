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

from django.db import connection
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.signals import task_finished
from viewflow.workflow.status import STATUS

from workflows.locks import process_lock

from .steps import AmendStep


class StepActivation(HandleActivation):
    """A step's activation: on completion it creates the task of the branch that matches.

    When that is another step, on PostgreSQL, this task's completion, the next task and
    the link between them are written in one statement (``_write_step``) — the same rows
    viewflow's ``complete`` and ``create`` write in three."""

    next_activations = ()

    def _branch(self):
        for node, condition in self.flow_task._branches:
            if condition is None or condition(self):
                return node
        raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")

    @Activation.status.super()
    def execute(self):
        node = self._branch()
        if not (isinstance(node, StepNode) and connection.vendor == "postgresql"):
            self._next_node = node
            self.complete()
            self.activate_next()
            return
        task = self.task
        task.finished = now()
        task.status = STATUS.DONE
        new = node.flow_class.task_class(process=self.process, flow_task=node, token=task.token)
        new.flow_task_type = node.task_type
        new.data = {}
        _write_step(task, new)
        task_finished.send(sender=self.flow_class, process=self.process, task=task)
        self.next_activations = [node.activation_class(new)]

    @Activation.status.super()
    def create_next(self):
        node = getattr(self, "_next_node", None) or self._branch()
        self.next_activations = [node._create(self, self.task.token)]
        yield from self.next_activations


def _write_step(done, new) -> None:
    """UPDATE the completed task, INSERT the next one and its link, in one statement."""
    from django.db.models import sql

    task_model = type(new)
    fields = [f for f in task_model._meta.concrete_fields if not f.primary_key]
    for f in fields:  # the defaults and auto_now_add values the ORM's save would fill in
        if getattr(new, f.attname) is None and f.has_default():
            setattr(new, f.attname, f.get_default())
    query = sql.InsertQuery(task_model)
    query.insert_values(fields, [new])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [task_model._meta.pk]
    [(insert_sql, insert_params)] = compiler.as_sql()
    q = connection.ops.quote_name
    table = q(task_model._meta.db_table)
    link = task_model.previous.through
    link_table = q(link._meta.db_table)
    from_col = q(link._meta.get_field("from_task").column)
    to_col = q(link._meta.get_field("to_task").column)
    finished = task_model._meta.get_field("finished")
    started = task_model._meta.get_field("started")
    update_params = [
        done.status,
        started.get_db_prep_save(done.started, connection),
        finished.get_db_prep_save(done.finished, connection),
        done.pk,
    ]
    statement = (
        f"WITH done AS (UPDATE {table} SET {q('status')} = %s, {q('started')} = %s, "  # noqa: S608 (quoted names, bound values)
        f"{q('finished')} = %s WHERE {q('id')} = %s), "
        f"new AS ({insert_sql}) "
        # ``new.previous`` holds ``done``: the link row goes from the new task to it
        f"INSERT INTO {link_table} ({from_col}, {to_col}) SELECT {q('id')}, %s FROM new "
        f"RETURNING {from_col}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*update_params, *insert_params, done.pk])
        new.pk = cursor.fetchone()[0]
    new._state.adding = False
    new._state.db = connection.alias


def _values_sql(obj, exclude=()) -> tuple[str, str, list]:
    """(the INSERT's head, its VALUES list, their params) for ``obj`` as the ORM's save
    would write it, without the columns named in ``exclude``."""
    from django.db.models import sql

    model = obj._meta.concrete_model
    fields = [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in exclude
    ]
    for f in fields:  # the defaults and auto_now_add values the ORM's save would fill in
        if getattr(obj, f.attname) is None and f.has_default():
            setattr(obj, f.attname, f.get_default())
    query = sql.InsertQuery(model)
    query.insert_values(fields, [obj])
    [(statement, params)] = query.get_compiler(connection=connection).as_sql()
    head, values = statement.split(" VALUES (", 1)
    return head, values[:-1], list(params)


def write_start(process, start, first) -> None:
    """INSERT a new process, its DONE start task, the first step's task and the link
    between the two tasks, in one statement (PostgreSQL) — the rows viewflow's start writes
    in four, in the same order (the start task's id before the first step's)."""
    q = connection.ops.quote_name
    task_model = type(start)._meta.concrete_model
    link = task_model.previous.through
    from_col = q(link._meta.get_field("from_task").column)
    to_col = q(link._meta.get_field("to_task").column)
    process_col = q(task_model._meta.get_field("process").column)
    p_head, p_values, p_params = _values_sql(process)
    s_head, s_values, s_params = _values_sql(start, exclude=("process_id",))
    n_head, n_values, n_params = _values_sql(first, exclude=("process_id",))
    statement = (
        f"WITH p AS ({p_head} VALUES ({p_values}) RETURNING {q('id')}), "  # noqa: S608 (the ORM's own INSERTs, quoted names, bound values)
        f"s AS ({s_head[:-1]}, {process_col}) SELECT {s_values}, p.{q('id')} FROM p "
        f"RETURNING {q('id')}, {process_col}), "
        # reading ``s``, the first step's task is written after the start task
        f"n AS ({n_head[:-1]}, {process_col}) SELECT {n_values}, s.{process_col} FROM s "
        f"RETURNING {q('id')}), "
        f"l AS (INSERT INTO {q(link._meta.db_table)} ({from_col}, {to_col}) "
        f"SELECT n.{q('id')}, s.{q('id')} FROM n, s) "
        f"SELECT s.{process_col}, s.{q('id')}, n.{q('id')} FROM s, n"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*p_params, *s_params, *n_params])
        process.pk, start.pk, first.pk = cursor.fetchone()
    for obj in (process, start, first):
        obj._state.adding = False
        obj._state.db = connection.alias
    start.process_id = first.process_id = process.pk


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
