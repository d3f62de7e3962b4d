"""Reads for official documents."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from workflows.access import is_member, is_supervisor, units_of, visible
from workflows.models import Role, UnitKind

from .models import CoIssuer, DocumentStatus, IssueBatch, OfficialDocument, RenderStatus


def documents_for(user) -> QuerySet:
    """Documents a person may open: their units' own (drafts included), those addressed to
    their unit (a guardian grant, e.g. a reply to a school), every issued document for
    government staff (bureaus, office, leading group), and everything for supervisors.
    A school never opens another school's reply."""
    qs = OfficialDocument.objects.select_related("issuer__unit")
    mine = visible(user, qs)
    if any(u.kind != UnitKind.SCHOOL for u in units_of(user)):
        issued = qs.filter(status__in=[DocumentStatus.ISSUED, DocumentStatus.REVOKED])
        return qs.filter(Q(pk__in=mine.values("pk")) | Q(pk__in=issued.values("pk")))
    return mine


def documents_search(user, *, q: str = "", status: str = "", kind: str = "", scope: str = "mine"):
    """The list page. ``scope`` "issued" lists every unit's issued documents (public
    anyway through /verify); "mine" lists what the user may open, drafts included."""
    if scope == "issued":
        # issued documents the user may open: their units' own, those addressed to their
        # unit (a grant, e.g. a reply to the school), and all of them for supervisors
        qs = documents_for(user).filter(status__in=[DocumentStatus.ISSUED, DocumentStatus.REVOKED])
    else:
        qs = visible(user, OfficialDocument.objects.select_related("issuer__unit"))
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(number__icontains=q) | Q(issuer__mark_name__icontains=q)
        )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-issued_at", "-created_at")


def batch_progress(batch: IssueBatch) -> dict:
    docs = batch.documents.all()
    total = docs.count()
    done = docs.filter(render_status=RenderStatus.DONE).count()
    failed = docs.filter(render_status=RenderStatus.FAILED).count()
    return {
        "total": total,
        "done": done,
        "failed": failed,
        "queued": total - done - failed,
        "percent": int(done * 100 / total) if total else 100,
    }


def pending_signoff_for(user) -> QuerySet:
    units = [u for u in units_of(user) if is_member(user, u, (Role.LEADER,))]
    return OfficialDocument.objects.select_related("issuer__unit").filter(
        issuer__unit__in=units, status=DocumentStatus.PENDING_SIGNOFF
    )


def pending_countersign_for(user) -> QuerySet:
    """Co-issuer rows of joint documents sent for sign-off that a unit the user leads
    has still to countersign (会签)."""
    units = [u for u in units_of(user) if is_member(user, u, (Role.LEADER,))]
    return CoIssuer.objects.select_related("document", "issuer__unit").filter(
        issuer__unit__in=units,
        countersigned_at__isnull=True,
        document__status=DocumentStatus.PENDING_SIGNOFF,
    )


def failed_renders_for(user) -> QuerySet:
    qs = OfficialDocument.objects.select_related("issuer__unit").filter(
        render_status=RenderStatus.FAILED
    )
    if is_supervisor(user):
        return qs
    return qs.filter(issuer__unit__in=units_of(user))


# --- renders that did not finish ----------------------------------------------------------
# A document is queued from its issue (or a retry, or a re-queue) until its PDF is stored;
# rendering happens in that same state, in one transaction holding the document's row lock,
# so a document being rendered also reads "queued". ``updated_at`` is when it was queued:
# nothing else saves an issued document while it waits (a revoke restarts the clock).


def render_stuck_cutoff(now: datetime | None = None) -> datetime:
    """Documents queued before this moment are stuck (DOCS_RENDER_STUCK_SECONDS)."""
    return (now or timezone.now()) - timedelta(seconds=settings.DOCS_RENDER_STUCK_SECONDS)


def stuck_renders(now: datetime | None = None) -> QuerySet:
    """Issued (or revoked) documents still without their PDF past the threshold."""
    return OfficialDocument.objects.filter(
        status__in=[DocumentStatus.ISSUED, DocumentStatus.REVOKED],
        render_status=RenderStatus.QUEUED,
        updated_at__lt=render_stuck_cutoff(now),
    )


def render_is_stuck(document: OfficialDocument, now: datetime | None = None) -> bool:
    return (
        document.is_issued
        and document.render_status == RenderStatus.QUEUED
        and document.updated_at < render_stuck_cutoff(now)
    )


def stored_pdfs():
    """The PDF files of rendered documents, with the SHA-256 each was issued with
    (settings.FILE_SOURCES: move_files, backup)."""
    from workflows.storage import FileRef

    rows = OfficialDocument.objects.exclude(pdf="").order_by("pk").values_list("pdf", "sha256")
    for name, digest in rows:
        yield FileRef(name, digest, "docs_gen.OfficialDocument")
