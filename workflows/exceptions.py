class Conflict(Exception):
    """Someone else acted first: the request is refused with HTTP 409 and this message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RuleViolation(Exception):
    """A business rule refused the action; ``field`` names the form field when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
