"""The apps' static files, without what viewflow ships and no page here loads."""

from django.contrib.staticfiles.finders import AppDirectoriesFinder

# viewflow's Plotly Dash bundles (viewflow.contrib.plotly, 22 MB: not installed here), its
# brand-icon font (13 MB: only viewflow's own login page loads it, and
# templates/registration/login.html replaces that page) and vis-network (2.2 MB with its
# map: templates/viewflow/includes/viewflow_js.html no longer loads it)
UNUSED = [
    "viewflow/js/contrib/dash/*",
    "viewflow/fonts/simple-icons/*",
    "viewflow/js/vis-network.min.js*",
    "viewflow/css/vis-network.min.css",
    "viewflow/js/node_modules/vis-network/*",
    "viewflow/css/node_modules/vis-network/*",
]


class AppStaticFinder(AppDirectoriesFinder):
    """``collectstatic`` neither copies, hashes nor compresses the files of ``UNUSED``
    (37 of viewflow's 49 MB) on every deployment; tests/test_static_manifest.py checks
    that what the pages load is there."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNUSED])
