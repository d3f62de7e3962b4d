"""Hostile input on every URL of the project, as every kind of person: never a 5xx, and a
refused request writes no row.

The URL patterns come from the resolver itself (a new page is fuzzed without touching this
file); path converters are filled with ids of real objects of the test world and with
hostile values. Parameters carry NUL characters, very long text, emoji, template syntax,
HTML, negative and huge numbers, bad dates and UUIDs; some requests use the wrong method
or come without a CSRF token. "Refused" means a 4xx answer, an error message queued for the
next page, or a page re-rendered with form errors (except the applications' draft form,
which keeps what was typed as a draft by design). Row counts of every model are compared,
except sessions and django-axes' login records, which a refused login writes on purpose.

Each example runs in a savepoint that is rolled back, so what one request changes does not
leak into the next; the budget is fixed and derandomized, so a run is the same every time.
It runs on SQLite and on PostgreSQL (where NUL is refused by the database itself).
"""

import copy
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms import BaseForm
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from approvals.common import services as approvals
from approvals.common.models import Objection, PublicNotice
from docs_gen import services as docs
from tasks_registry.models import Branch, ReportAttachment
from tasks_registry.services import branch_acknowledge, progress_report_submit
from tests.approvals.conftest import draft, submitted, to_publicity
from tests.attachment_samples import good_pdf
from tests.docs_gen.conftest import BODY
from tests.tasks_registry.supervision_helpers import branch_of, dispatch
from workflows.models import Notification, Unit

pytestmark = pytest.mark.django_db

# --- what a hostile client sends ---------------------------------------------------------

HOSTILE = [
    "\x00",
    "a\x00b",
    "x" * 5000,
    "长" * 20000,
    "👩‍👩‍👧‍👦🚀🀄️",
    "{{ request.user.password }}{{ settings.SECRET_KEY }}",
    "{% debug %}{% load static %}{% now 'Y' %}",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "abc",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999",
    str(2**63),
    "1e309",
    "NaN",
    "2024-02-30",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "../../etc/passwd",
    "%00",
    "' OR 1=1 --",
    "\u202egnp.exe",
    "\r\n\t",
    " ",
    "",
]
NON_NUL = [h for h in HOSTILE if "\x00" not in h]

# every field name any form of the project reads, plus the query parameters views read
FIELD_NAMES = sorted(
    {
        # approvals: the dual-plaque draft, review, objections, version
        *("plaque_kind", "plaque_name", "reason", "conditions", "students", "teachers"),
        *("contact_name", "contact_phone", "action", "decision", "opinion", "version"),
        *("name", "contact", "website", "outcome", "note", "tab"),
        # docs_gen
        *("issuer", "kind", "title", "addressees", "body", "attachments", "cc", "upward"),
        *("documents", "label", "q", "status", "scope"),
        # tasks_registry
        *("start_date", "deadline", "cycle_months", "milestones", "requirements", "text"),
        *("percent", "summary", "message", "units", "new_due", "assignee", "light", "page"),
        *("unit",),
        # login, language, redirects
        *("username", "password", "next", "language"),
    }
)

PERSONAS = [
    "anonymous",
    "school_handler",
    "school_head",
    "edu_handler",
    "edu_leader",
    "hrss_handler",
    "finance_handler",
    "ndrc_handler",
    "office_handler",
    "leader",
]

# who works on which part of the site: the sweep tries each page as them and as anonymous
# (the hypothesis test draws every persona for every page)
OWNERS = {
    "applications/": ("school_head", "hrss_handler"),
    "public/": (),
    "verify/": (),
    "docs/": ("edu_leader",),
    "tasks/": ("office_handler", "school_handler"),
    "dashboard/": ("leader",),
    "workbench/": ("school_handler",),
}

IGNORED_TABLES = {"django_session"}
IGNORED_APPS = {"axes"}  # AccessAttempt/AccessLog: a refused login is recorded on purpose

# --- the project's URL patterns ----------------------------------------------------------

CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Pattern:
    route: str  # e.g. "applications/<uuid:public_id>/submit/"
    params: tuple[tuple[str, str], ...]  # (name, converter)

    def url(self, values: dict) -> str:
        def fill(match):
            return quote(str(values[match["name"]]), safe="")

        return "/" + CONVERTER.sub(fill, self.route)


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # regex patterns: only the admin's app index and catch-all
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route)
        else:
            yield route


def project_patterns(*, admin: bool) -> list[Pattern]:
    seen, patterns = set(), []
    for route in _walk(get_resolver()):
        if route in seen or route.startswith("admin/") != admin:
            continue
        seen.add(route)
        params = tuple((m["name"], m["conv"] or "str") for m in CONVERTER.finditer(route))
        patterns.append(Pattern(route, params))
    return patterns


# --- the test world: one object of each kind a URL can name -----------------------------


@dataclass
class Targets:
    users: dict
    ids: dict = field(default_factory=dict)  # (route prefix, param) -> real values

    def real(self, pattern: Pattern, name: str) -> list:
        best, found = -1, []
        for (prefix, param), values in self.ids.items():
            if param == name and pattern.route.startswith(prefix) and len(prefix) > best:
                best, found = len(prefix), values
        return found


@pytest.fixture
def targets(world):
    handler = world.school_handler
    editable = draft(world)
    in_review = submitted(world)
    publicity = to_publicity(
        world,
        school=world.other_school,
        handler=world.other_school_handler,
        head=world.other_school_head,
    )
    notice = PublicNotice.objects.get(application=publicity)
    approvals.objection_lodge(
        notice=notice, name="张三", contact="13800000000", reason="申请材料与实际情况不符，请核实。"
    )
    doc_draft = docs.document_create(
        issuer=world.edu,
        kind="notice",
        title="关于试点的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    signed = docs.document_create(
        issuer=world.edu,
        kind="notice",
        title="关于推进的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    docs.document_sign_off(document=signed, actor=world.edu_leader)
    to_batch = docs.document_create(
        issuer=world.edu,
        kind="notice",
        title="关于报送的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_handler,
    )
    docs.document_sign_off(document=to_batch, actor=world.edu_leader)
    batch = docs.documents_issue_batch(documents=[to_batch], actor=world.edu_handler, label="")
    issued = docs.document_issue_for_decision(
        issuer=world.edu,
        kind="notice",
        title="关于印发的通知",
        addressees=["各校"],
        body=BODY,
        actor=world.edu_leader,
        signer=world.edu_leader,
    )
    sup = dispatch(world, 15)
    branch = branch_of(sup, world.school)
    branch_acknowledge(branch=branch, actor=handler)
    progress_report_submit(
        branch=branch,
        actor=handler,
        text="已完成方案制定",
        percent=30,
        files=[SimpleUploadedFile("进展.pdf", good_pdf(), "application/pdf")],
    )
    applications = [editable, in_review, publicity]
    result = Targets(users={p: getattr(world, p, None) for p in PERSONAS})
    result.ids = {
        ("applications/", "public_id"): [str(a.public_id) for a in applications],
        ("applications/", "file_id"): [
            str(a.public_id) for app in applications for a in app.attachments.all()
        ],
        ("applications/", "objection_id"): [
            str(o.public_id) for o in Objection.objects.filter(notice=notice)
        ],
        ("applications/", "procedure_code"): ["dual_plaque"],
        ("public/", "notice_id"): [str(notice.public_id)],
        ("docs/", "public_id"): [str(d.public_id) for d in (doc_draft, signed, issued)],
        ("docs/batches/", "public_id"): [str(batch.public_id)],
        ("docs/", "action"): ["submit", "return", "sign", "issue", "revoke", "retry", "delete"],
        ("verify/", "code"): [issued.verification_code, issued.verification_code.lower()],
        ("tasks/", "number"): [15, 2],
        ("tasks/branches/", "public_id"): [
            str(b.public_id) for b in Branch.objects.filter(supervision=sup)[:3]
        ],
        ("tasks/attachments/", "public_id"): [
            str(a.public_id) for a in ReportAttachment.objects.all()
        ],
        ("workbench/units/", "public_id"): [
            str(u.public_id) for u in Unit.objects.filter(code__in=["s01", "hrss", "office"])
        ],
        ("workbench/", "pk"): list(Notification.objects.values_list("pk", flat=True)[:3]),
    }
    return result


# --- one request, checked ---------------------------------------------------------------


def _count_sql() -> str:
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed
            and m._meta.app_label not in IGNORED_APPS
            and m._meta.db_table not in IGNORED_TABLES
        }
    )
    q = connection.ops.quote_name
    # table names come from the models' own meta, quoted by the backend
    counts = ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in tables)  # noqa: S608
    return f"SELECT {counts}", tables


def row_counts(sql_tables) -> dict:
    sql, tables = sql_tables
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _error_messages(response) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", []) if storage is not None else []
    return [m.message for m in queued if m.level >= message_levels.ERROR]


def _forms_with_errors(response) -> list:
    contexts = response.context
    if contexts is None:
        return []
    if not isinstance(contexts, list):
        contexts = [contexts]
    found = []
    for context in contexts:
        for layer in getattr(context, "dicts", [context]):
            for value in layer.values() if hasattr(layer, "values") else ():
                if isinstance(value, BaseForm) and value.is_bound and value.errors:
                    found.append(value)
    return found


KEEPS_DRAFTS = ("applications/new/",)  # an invalid draft is kept on purpose (and audited)


class _Rollback(Exception):
    pass


class Clients:
    """One signed-in test client per persona and CSRF mode, its cookies as they were right
    after signing in put back before every request: each request starts as a fresh
    client's would (its session row, written outside the requests' savepoints, is put
    back by the rollback when a request logs out or cycles it), without a sign-in per
    request (a new session row and ``user_logged_in`` each time)."""

    def __init__(self, users: dict):
        self.users = users
        self.made: dict = {}

    def get(self, persona: str, csrf: bool) -> Client:
        if (persona, csrf) not in self.made:
            client = Client(enforce_csrf_checks=csrf, raise_request_exception=True)
            user = self.users.get(persona)
            if user is not None:
                client.force_login(user)
            self.made[persona, csrf] = (client, copy.deepcopy(client.cookies))
        client, cookies = self.made[persona, csrf]
        client.cookies = copy.deepcopy(cookies)
        return client


class Sender:
    """Sends requests and checks them. The row counts before a request are the same for
    every request (each is rolled back), so they are counted once."""

    def __init__(self, targets: Targets):
        self.sql_tables = _count_sql()
        self.clients = Clients(targets.users)
        self.before = row_counts(self.sql_tables)

    def send(self, *, persona, pattern, path_values, method, params, csrf):
        """One request in a savepoint that is rolled back; assert the two rules."""
        url = pattern.url(path_values)
        described = f"{method} {url!r} as {persona} (csrf checks: {csrf}) with {params!r}"[:2000]
        client = self.clients.get(persona, csrf)  # signed in outside the savepoint
        try:
            with transaction.atomic():
                try:
                    response = getattr(client, method.lower())(url, params)
                except Exception as exc:  # the test client re-raises what would be a 500
                    raise AssertionError(f"{type(exc).__name__}: {exc} on {described}") from exc
                assert response.status_code < 500, f"{response.status_code} on {described}"
                refused = (
                    400 <= response.status_code < 500
                    or _error_messages(response)
                    or (_forms_with_errors(response) and not pattern.route.startswith(KEEPS_DRAFTS))
                )
                if refused:
                    after = row_counts(self.sql_tables)
                    written = {
                        t: after[t] - self.before[t] for t in after if after[t] != self.before[t]
                    }
                    assert not written, (
                        f"refused ({response.status_code}) but wrote {written}: {described}"
                    )
                raise _Rollback
        except _Rollback:
            pass


def _query(method: str, params: dict):
    """GET carries parameters in the query string; POST as a form."""
    return params if method in ("GET", "POST") else {}


# --- 1. every pattern, deterministically -------------------------------------------------


def _sweep_personas(pattern: Pattern) -> list[str]:
    owners = next((o for p, o in OWNERS.items() if pattern.route.startswith(p)), ())
    return list(dict.fromkeys(("anonymous", *owners)))


def test_every_url_pattern_as_its_users_with_hostile_parameters(targets):
    """Each pattern with real ids, as the people who work there and an anonymous visitor:
    GET and POST with every known field set to a hostile value (a different one each time),
    then once more with a NUL in every field."""
    sender = Sender(targets)
    hostile = itertools.cycle(NON_NUL)
    sent = 0
    for pattern in project_patterns(admin=False):
        values = {name: (targets.real(pattern, name) or ["x"])[0] for name, _conv in pattern.params}
        for persona in _sweep_personas(pattern):
            rounds = [
                ("GET", {name: next(hostile)[:300] for name in FIELD_NAMES}),
                ("POST", {name: next(hostile)[:300] for name in FIELD_NAMES}),
                ("GET", {name: f"{name}\x00" for name in FIELD_NAMES}),
                ("POST", {name: f"{name}\x00" for name in FIELD_NAMES}),
            ]
            for method, params in rounds:
                if "\x00" not in params["version"]:
                    params["version"] = "abc"
                    params["documents"] = ["abc", values.get("public_id", "x")]
                sender.send(
                    persona=persona,
                    pattern=pattern,
                    path_values=values,
                    method=method,
                    params=params,
                    csrf=False,
                )
                sent += 1
    assert sent > 200


# --- 2. hypothesis: random mixes of persona, pattern, ids, method and values -------------


def _path_value(conv: str, real: list):
    hostile = st.sampled_from(HOSTILE)
    if conv == "int":
        number = st.one_of(
            st.integers(min_value=-(2**70), max_value=2**70),
            st.sampled_from([0, 2**31, 2**63, 10**30]),
        )
        options = [number]
    elif conv == "uuid":
        options = [st.uuids().map(str)]
    else:
        options = [hostile]
    if real:
        options.insert(0, st.sampled_from(real))
    return st.one_of(*options)


def _value():
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=40),  # any code point but surrogates: emoji, controls, NUL
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
        st.uuids().map(str),
        st.sampled_from(["approve", "return", "reject", "close", "notice", "1", "50", "100"]),
        st.just((date.today() + timedelta(days=30)).isoformat()),
    )


@st.composite
def requests(draw, targets, patterns):
    pattern = draw(st.sampled_from(patterns))
    values = {
        name: draw(_path_value(conv, targets.real(pattern, name))) for name, conv in pattern.params
    }
    method = draw(st.sampled_from(["GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH"]))
    params = draw(
        st.dictionaries(
            st.one_of(st.sampled_from(FIELD_NAMES), st.sampled_from(HOSTILE)),
            st.one_of(_value(), st.lists(_value(), min_size=2, max_size=3)),
            max_size=8,
        )
    )
    return {
        # half the time someone who works on that page, so that more requests reach a view
        "persona": draw(st.sampled_from(PERSONAS) | st.sampled_from(_sweep_personas(pattern))),
        "pattern": pattern,
        "path_values": values,
        "method": method,
        "params": _query(method, params),
        "csrf": draw(st.booleans()),
    }


def test_hypothesis_mixes_persona_url_ids_method_and_values(targets):
    sender = Sender(targets)
    patterns = project_patterns(admin=False)
    patterns += project_patterns(admin=True)[:12]  # the admin answers non-staff too

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the message names the request
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(requests(targets, patterns))
    def fuzz(request):
        sender.send(**request)

    fuzz()
