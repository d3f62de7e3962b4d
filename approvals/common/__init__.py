"""The approvals kernel, shared by every procedure (dual plaque, pilot selection,
subsidies, dual-track promotion).

What a new procedure gets, and what it writes:

* ``models``: one ``Application`` row per application (opaque ``public_id`` in
  URLs, ``status`` / ``current_step`` / ``acting_unit`` mirrored for lists and the
  inbox, ``draft_data`` keeping what was typed, ``open_key`` for "one open
  application per …"), ``Attachment``, ``Review`` (each decision with a snapshot
  of what the reviewer saw), ``SignOff`` (one row per unit per round of a joint
  sign-off), ``PublicNotice`` and ``Objection``. The procedure adds its own
  detail model linked one-to-one to ``Application``.
* ``registry.Procedure``: subclass it, set ``code``, ``title``, ``flow_class``,
  ``form_class`` (a ``forms.DraftForm``), ``first_step`` and ``steps``
  (flow node name → ``Step(kind, label, units, roles)``: who acts), implement
  ``title_for`` / ``save_detail`` / ``snapshot`` / ``check_eligibility`` (raise
  ``RuleViolation`` citing the annex row) / ``open_key`` / ``competent_unit`` /
  ``notice_text`` / ``on_issue`` / ``document_payload``, and ``register()`` it
  (import it in ``ApprovalsConfig.ready``).
* The flow (viewflow, ``lock_impl = workflows.locks.process_lock``): a
  ``StartHandle`` and one ``Handle`` per step; ``Switch`` gateways route on
  ``process.application.last_outcome`` ("approved" / "returned" / "rejected")
  and, after an ``amend`` step, on ``returned_from`` (see dual_plaque/flows.py).
* ``services``: create / save (draft kept, files checked and stored) / send to
  head / submit (eligibility, open key, flow start) / withdraw / decide (approve,
  return, reject on a REVIEW or COSIGN step) / issue / objection lodge and
  handle / close the notice when due. Each under the process lock with a
  version compare-and-set (second actor → 409) and an audit row.
* ``views`` and templates: portal, form with autosave, detail with the review
  card, diff since the last return, sign-offs, notice and objections, timeline;
  permission-checked downloads; public notice pages; the inbox provider.
* ``tasks.close_due_public_notices`` on Celery beat.
"""
