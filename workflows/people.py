"""How a person is named on pages, in the audit trail, in documents and exports."""


def display_name(user, *, nobody: str = "") -> str:
    """The name in Chinese order (family name first), else the username; ``nobody`` for None."""
    if user is None:
        return nobody
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def acting_name(actor, on_behalf_of=None, *, nobody: str = "") -> str:
    """Who acted, as every record shows it: 李四, or 李四（代 张三） through a delegation."""
    name = display_name(actor, nobody=nobody)
    if on_behalf_of is None:
        return name
    # stored in the audit trail and printed on documents, which are Chinese
    return f"{name}（代 {display_name(on_behalf_of)}）"
