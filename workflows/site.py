"""The viewflow Site: one menu across the project's applications.

Each application lists its own pages (``links``: title, URL name, icon, and
optionally a predicate ``(user) -> bool`` that decides who sees the link) and,
below them, any viewflow viewsets it holds.

The menu only decides what is *offered*. Access is decided by each view (through
``workflows.access``), so that an outsider gets 404 rather than the Site's 403.
"""

from django.urls import reverse
from viewflow.urls import Application


class ZhijiApplication(Application):
    menu_template_name = "includes/app_menu.html"
    links: tuple = ()
    # who sees this application in the menu; None = every signed-in user
    visible_to = None

    def has_view_permission(self, user, obj=None):
        return True  # each view checks access itself (404 for outsiders, login for anonymous)

    def menu_visible(self, user) -> bool:
        return user.is_authenticated and (self.visible_to is None or self.visible_to(user))

    def menu_links(self, user=None):
        rows = []
        for title, name, icon, *rest in self.links:
            predicate = rest[0] if rest else None
            if predicate is None or (user is not None and predicate(user)):
                rows.append((title, reverse(name), icon))
        return rows
