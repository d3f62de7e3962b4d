from django.apps import AppConfig


class TrialProcedureConfig(AppConfig):
    """A procedure that exists only in the tests: it drives the approvals kernel without
    dual plaque. Adding it touched nothing outside this folder but the test environment's
    APP_EXTRA_APPS (tests/env_defaults.py)."""

    name = "tests.approvals.trial_procedure"
    label = "trial_procedure"
    verbose_name = "试用事项（测试）"

    def ready(self):
        from approvals.common.registry import register

        from .procedure import TrialProcedure

        register(TrialProcedure())
