"""Two machines, played by processes with nothing on disk in common: files live in PostgreSQL
(APP_FILE_STORAGE=database), so what one machine wrote the others serve.

Web A and web B are gunicorn in production mode (README's Production settings: DEBUG off,
a random key, behind a pretend TLS proxy), a real Celery worker renders on Redis; each has
its own empty APP_VAR_DIR and APP_MEDIA_ROOT. A school uploads an attachment through web A
and the bureau downloads it through web B; a document the worker renders downloads through
web A and /verify/ on web B finds it genuine. No process writes a file to its folder.
"""

import hashlib
import re
import time
import uuid
from contextlib import ExitStack

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection, transaction

from approvals.common.models import Application, ApplicationStatus
from docs_gen import services as docs_services
from docs_gen.demo import ensure_issuers
from docs_gen.models import RenderStatus
from docs_gen.tasks import render_document
from tests.approvals.conftest import PDF, form_data
from tests.docs_gen.conftest import BODY
from tests.docs_gen.test_worker import start_worker_process, stop_worker_process
from tests.factories import PASSWORD
from tests.production import ProxiedClient, gunicorn, manage, production_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class _FewRounds(PBKDF2PasswordHasher):
    iterations = 1000  # verified by the servers' own PBKDF2 hasher, in milliseconds


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic once (hashing only: compression is not what this test is about)."""
    tmp = tmp_path_factory.mktemp("static")
    env = production_env(tmp / "var", DJANGO_STATIC_ROOT=str(tmp / "static"))
    manage("collectstatic", "--noinput", "-v0", env=env, compress_only=(".none",))
    return tmp / "static"


def _noise_png() -> bytes:
    """A photo-sized PNG (random pixels do not compress: about 2.3 MB, three 1 MB slices)."""
    import io
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (880, 880), os.urandom(880 * 880 * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _files_in(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _login_passwords(*users):
    for user in users:
        user.password = make_password(PASSWORD, hasher=_FewRounds())
        user.save(update_fields=["password"])


def test_what_one_machine_stores_the_others_serve(
    world_tx, tmp_path, static_root, settings, monkeypatch
):
    from config.celery import app

    world = world_tx
    ensure_issuers()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "workflows.storage.DatabaseStorage"},
    }
    _login_passwords(world.school_head, world.hrss_handler, world.edu_handler)
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    machines = {name: tmp_path / name for name in ("web-a", "web-b", "worker")}
    for folder in machines.values():
        (folder / "media").mkdir(parents=True)

    def web_env(name):
        # the web's own Celery messages (e-mails) stay in its embedded broker folder
        return production_env(
            machines[name] / "var",
            DATABASE_URL=database_url,
            DJANGO_STATIC_ROOT=str(static_root),
            APP_FILE_STORAGE="database",
            APP_MEDIA_ROOT=str(machines[name] / "media"),
        )

    queue = f"two-machines-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    with ExitStack() as stack:
        worker = start_worker_process(
            machines["worker"] / "media",
            tmp_path / "worker.log",
            name="machine-b",
            queue=queue,
            env=production_env(machines["worker"] / "var", APP_FILE_STORAGE="database"),
        )
        stack.callback(stop_worker_process, worker)
        port_a = stack.enter_context(gunicorn(web_env("web-a"), tmp_path / "a.log", workers=1))
        port_b = stack.enter_context(gunicorn(web_env("web-b"), tmp_path / "b.log", workers=1))

        # a school submits its application with a file through web A
        school = ProxiedClient(port_a)
        school.login(world.school_head.username, PASSWORD)
        new = "/applications/new/dual_plaque/"
        photo = _noise_png()
        assert len(photo) > 2 * 1024 * 1024
        sent = school.submit(
            new,
            {**form_data(), "action": "submit"},
            files=[
                ("files", "申请报告.pdf", PDF, "application/pdf"),
                ("files", "实训基地.png", photo, "image/png"),
            ],
        )
        assert sent.status == 302, sent.text[:2000]
        application = Application.objects.get()
        assert application.status == ApplicationStatus.IN_REVIEW
        attachment = application.attachments.get(content_type="application/pdf")
        large = application.attachments.get(content_type="image/png")

        # the bureau opens it through web B
        bureau = ProxiedClient(port_b)
        bureau.login(world.hrss_handler.username, PASSWORD)
        page = bureau.request("GET", f"/applications/{application.public_id}/")
        assert page.status == 200
        link = f"/applications/{application.public_id}/files/{attachment.public_id}/"
        assert link in page.text
        download = bureau.request("GET", link)
        assert download.status == 200
        assert download.header("Content-Disposition").startswith("attachment;")
        assert download.header("X-Content-Type-Options") == "nosniff"
        assert download.header("Content-Type") == "application/pdf"
        assert hashlib.sha256(download.body).hexdigest() == hashlib.sha256(PDF).hexdigest()
        assert bureau.request("GET", link).status == 200  # and again: nothing cached on B
        streamed = bureau.request(
            "GET", f"/applications/{application.public_id}/files/{large.public_id}/"
        )
        assert streamed.status == 200 and streamed.header("Content-Length") == str(len(photo))
        assert hashlib.sha256(streamed.body).hexdigest() == hashlib.sha256(photo).hexdigest()
        outsider = ProxiedClient(port_b)
        assert outsider.request("GET", link).status == 302  # to the login page

        # a document the worker renders downloads through web A, /verify/ on web B agrees
        monkeypatch.setitem(app.conf, "task_always_eager", False)
        monkeypatch.setattr(
            docs_services,
            "_queue_render",
            lambda document: transaction.on_commit(
                lambda: render_document.apply_async(args=[document.pk], queue=queue)
            ),
        )
        document = docs_services.document_issue_for_decision(
            issuer=world.edu,
            kind="notice",
            title="台州市教育局关于试点工作的通知",
            addressees=["各校"],
            body=BODY,
            actor=world.edu_leader,
            signer=world.edu_leader,
        )
        deadline = time.monotonic() + 60
        while document.render_status != RenderStatus.DONE and time.monotonic() < deadline:
            time.sleep(0.3)
            document.refresh_from_db()
        log = (tmp_path / "worker.log").read_text()[-3000:]
        assert document.render_status == RenderStatus.DONE, (document.render_error, log)

        staff = ProxiedClient(port_a)
        staff.login(world.edu_handler.username, PASSWORD)
        pdf = staff.request("GET", f"/docs/{document.public_id}/pdf/")
        assert pdf.status == 200 and pdf.header("Content-Type") == "application/pdf"
        assert pdf.body.startswith(b"%PDF")
        assert hashlib.sha256(pdf.body).hexdigest() == document.sha256
        citizen = ProxiedClient(port_b)
        verify = f"/verify/{document.verification_code}/"
        checked = citizen.submit(
            verify, {}, files=[("file", "公文.pdf", pdf.body, "application/pdf")]
        )
        assert checked.status == 200
        assert "一致：上传的文件与印发的公文完全相同。" in checked.text
        assert document.sha256 in checked.text

        # nothing was written to any machine's own folder
        for name, folder in machines.items():
            assert _files_in(folder / "media") == [], name
        for log_name in ("a.log", "b.log"):
            text = (tmp_path / log_name).read_text()
            assert "Traceback" not in text, text[-3000:]
    seconds = time.monotonic() - started
    print(f"two machines: {seconds:.1f} s")
    assert re.fullmatch(r"[0-9a-f]{64}", document.sha256)
