"""Numbers under concurrency (PostgreSQL): 200 documents from 8 threads get 1..200 once each."""

import threading

import pytest
from django.db import close_old_connections, connection

from docs_gen import services
from docs_gen.demo import ensure_issuers
from docs_gen.models import NumberCounter, OfficialDocument
from tests.docs_gen.conftest import BODY

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_hundred_documents_from_eight_threads_get_1_to_200_once(
    world_tx, settings, monkeypatch
):
    # rendering is measured elsewhere; here only numbers matter
    monkeypatch.setattr(services, "_queue_render", lambda document: None)
    ensure_issuers()
    leader = world_tx.edu_leader
    signed = []
    for i in range(200):
        d = services.document_create(
            issuer=world_tx.edu,
            kind="notice",
            title=f"获奖通知{i}",
            addressees=["各校"],
            body=BODY,
            actor=leader,
        )
        services.document_sign_off(document=d, actor=leader)
        signed.append(d.pk)
    chunks = [signed[i::8] for i in range(8)]
    errors = []
    barrier = threading.Barrier(8)

    def work(ids):
        try:
            barrier.wait()
            for pk in ids:
                services.document_issue(document=OfficialDocument.objects.get(pk=pk), actor=leader)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    serials = sorted(OfficialDocument.objects.values_list("serial", flat=True))
    assert serials == list(range(1, 201))
    assert NumberCounter.objects.get().last == 200
