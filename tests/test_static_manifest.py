"""With DEBUG off, collectstatic builds the hashed, compressed static files the pages need.

It used to stop with WhiteNoise's MissingFileError on a style sheet viewflow ships with
dangling font references, and without the manifest every page answered 500. This runs the
command as README's Production section does (a subprocess with DJANGO_DEBUG=false); the
production smoke test (tests/services/test_production_smoke.py) then serves the result.
"""

import json
import posixpath
import re

from tests.production import manage, production_env, stylesheet_references

# what viewflow's base templates and ours load on every page
PAGE_ASSETS = [
    "viewflow/img/favicon.png",
    "viewflow/fonts/roboto/roboto-fontface.css",
    "viewflow/fonts/material-icons/material-icons.css",
    "viewflow/css/viewflow.min.css",
    "viewflow/js/viewflow.min.js",
    "css/zhiji.css",
    "img/favicon.svg",
]
HASHED = re.compile(r"\.[0-9a-f]{12}\.")


def test_collectstatic_with_the_manifest_storage_succeeds(tmp_path):
    root = tmp_path / "static"
    env = production_env(tmp_path / "var", DJANGO_STATIC_ROOT=str(root))
    # compress only the style sheets here: the compressor runs, and the test stays fast
    result = manage("collectstatic", "--noinput", env=env, compress_only=(".css",))
    assert "post-processed" in result.stdout

    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    for name in PAGE_ASSETS:
        assert HASHED.search(manifest[name]), name
        assert (root / manifest[name]).is_file(), name
    assert (root / (manifest["css/zhiji.css"] + ".gz")).is_file()
    # what no page loads is not deployed (config/staticfiles.py)
    assert not [name for name in manifest if "contrib/dash" in name or "simple-icons" in name]
    assert not [name for name in manifest if "vis-network" in name]

    # every url() of every collected style sheet points at a hashed file that exists
    dangling = []
    for original, hashed in manifest.items():
        if not original.endswith(".css"):
            continue
        for ref in stylesheet_references((root / hashed).read_text(encoding="utf-8")):
            if ref.startswith(("http:", "https:", "//")):
                dangling.append((original, ref))  # no CDN: everything is served locally
                continue
            path = ref.split("?", 1)[0].split("#", 1)[0]
            target = posixpath.normpath(posixpath.join(posixpath.dirname(hashed), path))
            if not (root / target).is_file() or not HASHED.search(target):
                dangling.append((original, ref))
    assert not dangling, dangling
