"""How a person is named on pages, in the audit trail, in documents and exports."""


def display_name(user, *, nobody: str = "") -> str:
    """The name in Chinese order (family name first), else the username; ``nobody`` for None."""
    if user is None:
        return nobody
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()
