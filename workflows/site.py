"""The viewflow Site: one menu across the project's applications.

Each application lists its own pages (``links``: title, URL name, icon) and, below
them, any viewflow viewsets it holds (a flow's inbox, queue, archive).
"""

from django.urls import reverse
from viewflow.urls import Application


class ZhijiApplication(Application):
    menu_template_name = "includes/app_menu.html"
    links: tuple = ()
    # who sees this application in the menu; None = every signed-in user
    visible_to = None

    def has_view_permission(self, user, obj=None):
        if not user.is_authenticated:
            return True  # the view itself sends anonymous visitors to the login page
        return self.visible_to is None or self.visible_to(user)

    def menu_links(self):
        return [(title, reverse(name), icon) for title, name, icon in self.links]
