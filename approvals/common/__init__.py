"""The approvals kernel, shared by every procedure (dual plaque, pilot selection,
subsidies, dual-track promotion). A procedure is a Django app of its own; the
kernel imports none of them.

How to add a procedure, in the order you write it (``tests/approvals/trial_procedure``
is a complete small one; ``approvals/dual_plaque`` the real first one):

1. **The app.** ``approvals/<name>/apps.py`` with ``label = "<name>"``; add
   ``"approvals.<name>"`` to ``INSTALLED_APPS`` (or ``APP_EXTRA_APPS``) and to the
   import contracts in ``pyproject.toml``.
2. **Its data.** ``models.py``: the detail model, one-to-one to ``models.Application``
   (labels, help texts, choices written once, here), and a proxy of viewflow's
   ``Process`` for its flow. ``manage.py makemigrations <name>``.
3. **Its form.** ``forms.draft_form_for(Detail, fields, options=...)``: the form is
   derived from the model; ``options`` holds only what a form alone knows (a minimum
   length, a widget). Every message names its field.
4. **Its steps, in order** (``steps.py`` of the app): instances of the handlers in
   ``steps`` — ``ReviewStep``, ``CosignStep`` (parallel checks, 会签), ``NoticeStep``
   (公示; ``level``, ``per_round``), ``IssueStep`` (the decision document),
   ``RoundStep`` (decided for a whole round in ``rounds``), ``AmendStep`` — each with
   the units that act (a function of the application) and, if need be, the roles. A
   new kind of step (expert scoring, a vote, a budget check, a payment) is a subclass
   of ``steps.Step`` with its ``waits_on``, ``act``, ``form_class`` and templates.
   Then ``flows.approval_flow(...)`` over the steps in ``flows.py``; the system check
   ``approvals.E001`` fails start-up if a flow and its steps ever disagree.
5. **Its rules.** ``procedure.py``: subclass ``registry.Procedure`` (``code``,
   ``title``, ``annex_task``, ``applicant`` — ``applicants.SCHOOL``, a
   ``UnitApplicant(kinds…)`` or ``PersonApplicant(unit kinds…)`` —, ``steps``,
   ``flow_class``, ``detail_model``, ``form_class``) and write ``check_eligibility``
   (raise ``RuleViolation`` citing the annex row and naming the field),
   ``open_key`` / ``open_key_message`` (one open application per …),
   ``notice_text``, ``on_issue`` (the decision takes effect) and ``document``
   (a ``docs_gen.values.DocumentValue``). Register an instance in ``ready()``:
   ``registry.register(MyProcedure())``.
6. **Pages and data.** Templates under ``approvals/<name>/templates/<name>/`` (the
   form's intro, the annex task's panel: ``task_panel_template`` / ``task_panel``),
   a demo loader, tests.

What the kernel gives every procedure:

* ``models``: ``Application`` (status, current step and acting unit mirrored; the
  draft as typed; ``open_key``), ``Round``, ``Attachment``, ``Review`` (with a
  snapshot of what the reviewer saw), ``SignOff``, ``PublicNotice`` (several per
  application, or one per round) and ``Objection``.
* ``services``: create / save (the draft kept, files checked and stored) / send to
  the head / submit (window, eligibility, open key, flow start) / withdraw /
  ``step_act`` (the current step's action) / objections / close a notice when due;
  each under the process lock with a version compare-and-set (a second actor gets
  409) and an audit row. ``rounds``: ``round_decide`` and ``round_issue``.
* ``views`` and templates: portal, form with autosave, the application page built
  from the steps' fragments, permission-checked downloads, public notice pages, the
  document preview (docs_gen's own rendering), and the inbox provider.
* ``tasks.close_due_public_notices`` on Celery beat.
"""
