"""The review committee: two-thirds rules at their edges, the same-school rule, secret votes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from approvals.common.selectors import inbox_for
from approvals.promotion.models import Ballot, Panel, PanelState
from approvals.promotion.rules import passes, quorum, session_is_valid, votes_needed
from workflows.exceptions import Conflict, RuleViolation
from workflows.models import AuditEntry

from .conftest import act, applied, expert_of, form_panel, has_voted, open_session, to_panel, vote

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("members", "attending", "valid"),
    [(9, 5, False), (9, 6, True), (9, 9, True), (9, 0, False), (10, 6, False), (10, 7, True)],
)
def test_a_session_needs_two_thirds_of_the_members(members, attending, valid):
    assert session_is_valid(members, attending) is valid


@pytest.mark.parametrize(
    ("attending", "yes", "passed"),
    [
        (6, 3, False),
        (6, 4, True),
        (9, 6, True),
        (9, 5, False),
        (7, 5, True),
        (7, 4, False),
        (0, 0, False),
    ],
)
def test_a_vote_passes_with_two_thirds_of_those_attending(attending, yes, passed):
    assert passes(attending, yes) is passed


def test_the_thresholds_are_whole_people():
    assert [quorum(n) for n in (5, 6, 7, 9)] == [4, 4, 5, 6]
    assert [votes_needed(a) for a in (6, 7, 9)] == [4, 5, 6]


@pytest.fixture
def at_panel(world, people):
    app = applied(people["technician"])
    return to_panel(world, app, world.technical_head)


@pytest.mark.parametrize(("attending", "opens"), [(5, False), (6, True), (9, True)])
def test_the_session_opens_only_with_a_quorum(world, experts, at_panel, attending, opens):
    app, pool = at_panel, experts["pool"]
    form_panel(world, app, pool)
    if not opens:
        with pytest.raises(RuleViolation) as refused:
            open_session(world, app, pool[:attending])
        assert refused.value.field == "attending"
        assert "出席 5 人，不足全体 9 名委员的三分之二（至少 6 人）" in refused.value.message
        assert Panel.objects.get(application=app).state == PanelState.FORMED  # nothing recorded
        return
    open_session(world, app, pool[:attending])
    panel = Panel.objects.get(application=app)
    assert panel.state == PanelState.SITTING and panel.attending == attending


@pytest.mark.parametrize(
    ("attending", "yes", "next_step"),
    [(6, 3, None), (6, 4, "city_notice"), (9, 6, "city_notice"), (9, 5, None)],
)
def test_the_outcome_at_the_edges(world, experts, at_panel, attending, yes, next_step):
    app, pool = at_panel, experts["pool"]
    form_panel(world, app, pool)
    open_session(world, app, pool[:attending])
    choices = ["yes"] * yes + ["no"] * (attending - yes)
    for user, choice in zip(pool[:attending], choices, strict=True):
        vote(app, user, choice)
    if next_step:
        assert app.current_step == next_step
    else:
        assert app.status == "rejected"
    panel = Panel.objects.get(application=app)
    assert (panel.attending, panel.yes, panel.no, panel.abstain) == (
        attending,
        yes,
        attending - yes,
        0,
    )


def test_a_member_of_the_applicants_school_is_never_on_its_panel(world, experts, at_panel, login):
    app, pool = at_panel, experts["pool"]
    with pytest.raises(RuleViolation) as refused:
        form_panel(world, app, [*pool[:8], experts["same_school"]])
    barred = str(expert_of(experts["same_school"]))
    assert refused.value.field == "members" and barred in refused.value.message
    assert "回避" in refused.value.message
    assert not Panel.objects.filter(application=app).exists()
    # the page offers that expert disabled, and a forged post is refused the same way
    page = login(world.hrss_handler).get(reverse("applications:detail", args=[app.public_id]))
    assert "同校回避" in page.content.decode()
    posted = login(world.hrss_handler).post(
        reverse("applications:act", args=[app.public_id]),
        {
            "action": "form",
            "members": [expert_of(u).pk for u in [*pool[:8], experts["same_school"]]],
            "version": app.version,
        },
    )
    assert posted.status_code == 400 and "按回避规定" in posted.content.decode()
    # the other school's expert may sit on it
    form_panel(world, app, [*pool[:8], experts["teacher_school"]])
    assert Panel.objects.get(application=app).members.count() == 9


def test_the_panel_may_be_re_formed_before_its_session_only(world, experts, at_panel, login):
    app, pool = at_panel, experts["pool"]
    form_panel(world, app, pool[:5])
    url = reverse("applications:detail", args=[app.public_id])
    assert login(pool[0]).get(url).status_code == 200
    form_panel(world, app, pool[4:9])
    assert login(pool[0]).get(url).status_code == 404  # left the panel: no longer sees it
    assert Panel.objects.filter(application=app).count() == 1
    open_session(world, app, pool[4:8])
    with pytest.raises(Conflict):
        form_panel(world, app, pool[:5])


def test_a_panel_needs_five_members(world, experts, at_panel):
    with pytest.raises(RuleViolation, match="至少选择 5 名"):
        form_panel(world, at_panel, experts["pool"][:4])


def test_only_the_hr_bureau_forms_the_panel(world, experts, at_panel):
    with pytest.raises(PermissionDenied):
        form_panel_as(at_panel, world.edu_handler, experts["pool"])


def form_panel_as(app, actor, users):
    from .conftest import act

    return act(app, actor, action="form", members=[expert_of(u) for u in users])


def test_votes_are_secret_until_the_tally_and_anonymous_after(
    world, people, experts, at_panel, login
):
    app, pool = at_panel, experts["pool"]
    form_panel(world, app, pool)
    open_session(world, app, pool[:6])
    assert [r.title for r in inbox_for(pool[0])] == ["评审投票"]  # the members' inbox
    assert inbox_for(pool[7]) == []  # on the panel, absent
    for user in pool[:3]:
        vote(app, user, "yes")
    assert inbox_for(pool[0]) == []
    page = reverse("applications:detail", args=[app.public_id])
    for viewer in (world.hrss_handler, pool[0], pool[4], people["technician"], world.leader):
        html = login(viewer).get(page).content.decode()
        assert "已投票 3 人" in html
        assert 'id="pr-tally"' not in html  # no counts before every attending member voted
    panel = Panel.objects.get(application=app)
    assert (panel.yes, panel.no, panel.abstain) == (None, None, None)
    # a member votes once; an absent member or an outsider not at all
    with pytest.raises(Conflict):
        vote(app, pool[0], "no")
    with pytest.raises(PermissionDenied):
        vote(app, pool[7], "yes")  # on the panel, not attending
    for user, choice in zip(pool[3:6], ["no", "abstain", "yes"], strict=True):
        vote(app, user, choice)
    html = login(world.hrss_handler).get(page).content.decode()
    assert 'id="pr-tally"' in html
    panel.refresh_from_db()
    assert (panel.attending, panel.yes, panel.no, panel.abstain, panel.passed) == (6, 4, 1, 1, True)
    # what is kept: anonymous ballots (no voter, no time) and who voted, never both together
    assert {f.name for f in Ballot._meta.get_fields()} == {"id", "panel", "choice"}
    assert sorted(Ballot.objects.filter(panel=panel).values_list("choice", flat=True)) == sorted(
        ["yes"] * 4 + ["no", "abstain"]
    )
    assert all(has_voted(app, u) for u in pool[:6]) and not has_voted(app, pool[6])
    voted_rows = AuditEntry.objects.for_object(app).filter(action="panel_voted")
    assert voted_rows.count() == 6
    for row in voted_rows:
        text = f"{row.before}{row.after}{row.note}"
        assert "yes" not in text and "同意" not in text and "abstain" not in text


def test_the_organiser_closes_a_vote_a_member_never_casts(world, experts, at_panel, login):
    """One attending member never votes: the HR bureau closes the vote; that member's
    missing vote is not a yes, and the counts and the result are written at once."""
    app, pool = at_panel, experts["pool"]
    form_panel(world, app, pool)
    open_session(world, app, pool[:6])  # 6 attend: 4 yes needed
    for user in pool[:5]:
        vote(app, user, "yes" if user in pool[:4] else "no")
    assert app.current_step == "panel_vote"  # one attending member has not voted
    url = reverse("applications:detail", args=[app.public_id])
    page = login(world.hrss_handler).get(url).content.decode()
    assert "尚有 1 人未投票" in page and 'id="pr-close-vote"' in page
    # a member cannot close it, and a stale page gets 409 without closing it
    with pytest.raises(PermissionDenied):
        act(app, pool[0], action="close")
    stale = login(world.hrss_handler).post(
        reverse("applications:act", args=[app.public_id]),
        {"action": "close", "version": app.version - 1},
    )
    assert stale.status_code == 409
    assert Panel.objects.get(application=app).state == PanelState.SITTING
    posted = login(world.hrss_handler).post(
        reverse("applications:act", args=[app.public_id]),
        {"action": "close", "version": app.version},
    )
    assert posted.status_code == 302
    app.refresh_from_db()
    panel = Panel.objects.get(application=app)
    assert (panel.attending, panel.yes, panel.no, panel.abstain, panel.not_voted) == (6, 4, 1, 0, 1)
    assert panel.passed and app.current_step == "city_notice"
    assert inbox_for(pool[5]) == []  # the vote is over for the member who did not cast it
    with pytest.raises(Conflict):
        vote(app, pool[5], "no")
    notes = list(AuditEntry.objects.filter(action__in=["panel_closed", "panel_passed"]))
    assert any("1 名出席委员未投票" in e.note for e in notes)
    assert any("未投票 1 人" in e.note for e in notes)
    history = login(world.hrss_handler).get(url).content.decode()
    assert "未投票" in history


def test_closing_the_vote_counts_the_missing_votes_against_a_narrow_pass(world, experts, at_panel):
    app, pool = at_panel, experts["pool"]
    form_panel(world, app, pool)
    open_session(world, app, pool[:6])
    for user in pool[:3]:
        vote(app, user, "yes")  # 3 of 6 attending: short of 4
    act(app, world.hrss_handler, action="close")
    panel = Panel.objects.get(application=app)
    assert (panel.yes, panel.not_voted, panel.passed) == (3, 3, False)
    assert app.status == "rejected"
