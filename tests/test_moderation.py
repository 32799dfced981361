"""Moderation and safeguarding: from a child's text to an approved, redacted quote; rejects;
concerns out of every output; the audit trail; retention; two moderators at once."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from board.actions.models import Action, ActionStatus, Proposer
from board.audit.models import AuditEntry
from board.auth.models import Role
from board.feedback import services as feedback_services
from board.feedback.models import Feedback
from board.moderation import services
from board.moderation.models import Concern, ConcernNote, ConcernState, Rejection
from board.states import ModerationState
from tests.factories import once_token


@pytest.fixture
def world(session, make):
    """``factories.World`` on a board watching for a name, with a meeting open."""
    world = make.world(watch_names="Dritan")
    world.meeting = make.meeting(world.board, duration_minutes=60)
    session.commit()
    return world


def give(session, meeting, service, happened=None, better=None, rating=3):
    given = feedback_services.give_feedback(
        session, meeting, service, rating=rating, happened=happened, better=better, language="en"
    )
    session.commit()
    return session.get(Feedback, given)


def fresh(session, model, ident):
    session.expire_all()
    return session.get(model, ident)


def test_an_answer_takes_the_models_defaults(session, world):
    """The fast Core insert states no default of its own: text waits for moderation and the
    note starts empty because the model says so; an answer without text needs none."""
    service, meeting = world.service, world.meeting
    columns = Feedback.__table__.c
    with_text = give(session, meeting, service, better="More nurses.")
    assert with_text.moderation is columns.moderation.default.arg is ModerationState.PENDING
    assert with_text.moderator_note == columns.moderator_note.default.arg == ""
    assert with_text.happened_spans == [] and with_text.better_spans == []
    assert give(session, meeting, service).moderation is ModerationState.APPROVED


def test_from_a_childs_text_to_an_approved_redacted_quote(client, auth, session, world):
    board, service, meeting = world.board, world.service, world.meeting
    facilitator = world.facilitator
    item = give(
        session,
        meeting,
        service,
        happened="Dritan at the clinic was kind. Call 069 123 4567 if you want.",
    )
    auth.as_user(facilitator)
    page = client.get(f"/boards/{board.id}/moderation").get_data(as_text=True)
    assert '<mark class="detail detail-name">Dritan</mark>' in page
    assert '<mark class="detail detail-phone">069 123 4567</mark>' in page
    spans = item.happened_spans
    response = client.post(
        f"/moderation/feedback/{item.id}",
        data={
            "decision": "approve",
            "remove": [f"happened:{s}:{e}" for s, e, _k in spans],
            "words-happened": "the clinic",
            "note": "Kind words about staff.",
        },
    )
    assert response.status_code == 302
    approved = fresh(session, Feedback, item.id)
    assert approved.moderation is ModerationState.APPROVED
    assert approved.happened == "[removed] at [removed] was kind. Call [removed] if you want."
    assert approved.happened_spans == [] and approved.moderator_note == "Kind words about staff."
    assert "069" not in str(session.execute(sa.select(Feedback.__table__)).all())
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "moderation.redact"))
    assert entry.actor_id == facilitator.id and entry.detail == "3 parts removed"
    assert "Dritan" not in entry.detail and "kind" not in entry.detail


def test_reject_keeps_no_text_and_counts_the_reason(client, auth, session, world):
    service, meeting, facilitator = world.service, world.meeting, world.facilitator
    item = give(session, meeting, service, happened="something off topic", rating=2)
    auth.as_user(facilitator)
    client.post(
        f"/moderation/feedback/{item.id}", data={"decision": "reject", "reason": "off_topic"}
    )
    rejected = fresh(session, Feedback, item.id)
    assert rejected.moderation is ModerationState.REJECTED
    assert rejected.happened is None and rejected.rating == 2  # the rating still counts
    (rejection,) = session.scalars(sa.select(Rejection)).all()
    assert rejection.reason.value == "off_topic" and rejection.month.day == 1
    assert set(Rejection.__table__.columns.keys()) == {"id", "board_id", "month", "reason"}


def test_a_childs_idea_is_approved_or_rejected(client, auth, session, make, world):
    board, facilitator = world.board, world.facilitator
    idea = make.proposal(board, "Football with Dritan")
    other = make.proposal(board, "nonsense")
    session.commit()
    auth.as_user(facilitator)
    page = client.get(f"/boards/{board.id}/moderation").get_data(as_text=True)
    assert '<mark class="detail detail-name">Dritan</mark>' in page
    client.post(
        f"/moderation/proposal/{idea.id}", data={"decision": "approve", "remove": ["title:14:20"]}
    )
    approved = fresh(session, Action, idea.id)
    assert approved.title == "Football with [removed]"
    assert approved.moderation is ModerationState.APPROVED
    assert approved.status is ActionStatus.PROPOSED
    client.post(
        f"/moderation/proposal/{other.id}", data={"decision": "reject", "reason": "unclear"}
    )
    assert fresh(session, Action, other.id) is None
    # The counters follow the idea from "Waiting" to "Approved" (adults' actions are not counted).
    session.add(
        Action(board_id=board.id, title="Adults' plan", language="en", proposed_by=Proposer.ADULT)
    )
    session.commit()
    counters = client.get(f"/boards/{board.id}/moderation").get_data(as_text=True)
    assert "Waiting: <strong>0</strong>" in counters
    assert "Approved: <strong>1</strong>" in counters


@pytest.mark.parametrize(
    ("remove", "words", "message"),
    [
        (["happened:5:500"], "", "outside the text"),
        (["happened:0:6", "happened:3:9"], "", "overlap"),
        (["happened:x:y"], "", "outside the text"),
        # Digits Python calls digits but int() refuses, or a number longer than it reads.
        (["happened:\u00b2:5"], "", "outside the text"),
        (["happened:0:\u0661\u0662"], "", "outside the text"),
        ([f"happened:0:{'9' * 5000}"], "", "outside the text"),
        (["elsewhere:0:3"], "", "outside the text"),
        ([], "not in there", "These words are not in the text"),
    ],
)
def test_bad_redactions_are_refused_and_nothing_is_half_written(
    client, auth, session, world, remove, words, message
):
    service, meeting, facilitator = world.service, world.meeting, world.facilitator
    item = give(session, meeting, service, happened="Hello there, all good.")
    auth.as_user(facilitator)
    response = client.post(
        f"/moderation/feedback/{item.id}",
        data={"decision": "approve", "remove": remove, "words-happened": words},
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    unchanged = fresh(session, Feedback, item.id)
    assert unchanged.moderation is ModerationState.PENDING
    assert unchanged.happened == "Hello there, all good."


def test_two_facilitators_decide_the_same_item_at_the_same_moment(app, session, world):
    service, meeting, facilitator = world.service, world.meeting, world.facilitator
    item = give(session, meeting, service, happened="A text")
    from board.db import get_engine

    first, second = Session(get_engine(app)), Session(get_engine(app))
    try:
        item_1, item_2 = first.get(Feedback, item.id), second.get(Feedback, item.id)
        services.approve(first, facilitator, item_1, services.Removals({}, {}))
        first.commit()
        with pytest.raises(services.AlreadyDecided):
            services.reject(second, facilitator, item_2, services.RejectionReason.HURTFUL)
        second.rollback()
    finally:
        first.close()
        second.close()
    decided = fresh(session, Feedback, item.id)
    assert decided.moderation is ModerationState.APPROVED and decided.happened == "A text"
    assert session.scalar(sa.select(sa.func.count()).select_from(Rejection)) == 0


def test_the_loser_is_told(client, auth, session, world):
    service, meeting, facilitator = world.service, world.meeting, world.facilitator
    item = give(session, meeting, service, happened="A text")
    auth.as_user(facilitator)
    client.post(f"/moderation/feedback/{item.id}", data={"decision": "approve"})
    response = client.post(
        f"/moderation/feedback/{item.id}",
        data={"decision": "reject", "reason": "hurtful"},
        follow_redirects=True,
    )
    assert "Someone else decided this item" in response.get_data(as_text=True)


def listed_items(page: str) -> list[str]:
    return re.findall(r'name="item" value="([^"]+)"', page)


def test_approve_all_takes_only_items_without_highlights(client, auth, session, world):
    board, service, meeting = world.board, world.service, world.meeting
    facilitator = world.facilitator
    clean = give(session, meeting, service, happened="It was good.")
    marked = give(session, meeting, service, happened="Ask Dritan.")
    auth.as_user(facilitator)
    page = client.get(f"/boards/{board.id}/moderation/approve-all").get_data(as_text=True)
    assert "It was good." in page and "Ask Dritan." not in page
    listed = listed_items(page)
    assert listed == [f"feedback:{clean.id}"]
    assert "1 text below is approved as it is" in page
    url, once = f"/boards/{board.id}/moderation/approve-all", once_token(page)
    refused = client.post(url, data={"item": listed, "once": once})
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    answer = {"confirm": "y", "item": listed, "once": once}
    assert client.post(url, data=answer).status_code == 302
    assert fresh(session, Feedback, clean.id).moderation is ModerationState.APPROVED
    assert fresh(session, Feedback, marked.id).moderation is ModerationState.PENDING
    # The same answer sent again approves nothing (and says so).
    again = client.post(url, data=answer)
    assert again.status_code == 409
    assert "This was confirmed already: nothing was done again." in again.get_data(as_text=True)


def test_bulk_approval_lists_every_text_and_approves_only_those(client, auth, session, world):
    """Issue 13, item 7: bulk approval approved texts no one was shown. The confirmation
    page lists every text it will approve; the confirmation posts exactly those."""
    board, service, meeting = world.board, world.service, world.meeting
    facilitator = world.facilitator
    shown = give(session, meeting, service, happened="The food was good.")
    auth.as_user(facilitator)
    queue_page = client.get(f"/boards/{board.id}/moderation").get_data(as_text=True)
    assert f"/boards/{board.id}/moderation/approve-all" in queue_page
    page = client.get(f"/boards/{board.id}/moderation/approve-all").get_data(as_text=True)
    assert "The food was good." in page
    listed = listed_items(page)
    # A text that arrives while the facilitator reads the list is not approved unseen.
    late = give(session, meeting, service, happened="The bus was late.")
    client.post(
        f"/boards/{board.id}/moderation/approve-all",
        data={"confirm": "y", "item": listed, "once": once_token(page)},
    )
    assert fresh(session, Feedback, shown.id).moderation is ModerationState.APPROVED
    assert fresh(session, Feedback, late.id).moderation is ModerationState.PENDING
    # Without the list, the confirmation approves nothing.
    page = client.get(f"/boards/{board.id}/moderation/approve-all").get_data(as_text=True)
    client.post(
        f"/boards/{board.id}/moderation/approve-all",
        data={"confirm": "y", "once": once_token(page)},
    )
    assert fresh(session, Feedback, late.id).moderation is ModerationState.PENDING


@pytest.mark.parametrize(
    "text",
    [
        "Ana helped me find the shelter.",
        "Mieszkam na ul. Marszałkowska 12, przyjdź.",
        "my snap is ana_k22",
    ],
)
def test_bulk_approval_leaves_details_the_old_detector_missed(client, auth, session, world, text):
    """Issue 13, item 7: a name starting a sentence, a Polish street and a handle in words
    were approved in bulk. Even a text stored with no highlight (detected before the
    detector knew them) is read again and left out."""
    board, service, meeting = world.board, world.service, world.meeting
    facilitator = world.facilitator
    item = give(session, meeting, service, happened=text)
    session.execute(sa.update(Feedback).where(Feedback.id == item.id).values(happened_spans=[]))
    session.commit()
    auth.as_user(facilitator)
    page = client.get(f"/boards/{board.id}/moderation/approve-all").get_data(as_text=True)
    assert listed_items(page) == [] and text not in page
    # Even posted by hand, it is not approved.
    client.post(
        f"/boards/{board.id}/moderation/approve-all",
        data={"confirm": "y", "item": [f"feedback:{item.id}"], "once": once_token(page)},
    )
    assert fresh(session, Feedback, item.id).moderation is ModerationState.PENDING


def test_a_concern_takes_the_item_out_keeps_the_words_and_alerts_the_lead(
    client, auth, session, world, caplog
):
    service, meeting, facilitator = world.service, world.meeting, world.facilitator
    lead = world.lead
    caplog.set_level(logging.INFO, logger="board.mail")
    item = give(session, meeting, service, happened="He takes my money and hits me.")
    auth.as_user(facilitator)
    client.post(
        f"/moderation/feedback/{item.id}",
        data={
            "decision": "concern",
            "concern_urgency": "today",
            "concern_reason": "Possible exploitation.",
        },
    )
    taken = fresh(session, Feedback, item.id)
    assert taken.moderation is ModerationState.SAFEGUARDING and taken.happened is None
    concern = session.scalar(sa.select(Concern))
    assert concern.words == "He takes my money and hits me."
    assert concern.raised_by_id == facilitator.id and concern.meeting_id == meeting.id
    # The lead is told by mail (here: the log), without the child's words.
    mails = [r.getMessage() for r in caplog.records if "mail" in r.getMessage()]
    assert any(lead.email in m for m in mails)
    assert not any("money" in m for m in mails)
    # It stays at the top of the facilitator's and the lead's home until acknowledged.
    home = client.get("/").get_data(as_text=True)
    assert "Safeguarding concerns not yet acknowledged" in home
    assert f"/concerns/{concern.id}" not in home  # facilitators cannot open it
    assert client.get(f"/concerns/{concern.id}").status_code == 403
    auth.as_user(lead)
    assert f"/concerns/{concern.id}" in client.get("/").get_data(as_text=True)
    page = client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert "He takes my money and hits me." in page
    assert session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "concern.view"))
    client.post(f"/concerns/{concern.id}/acknowledge")
    assert fresh(session, Concern, concern.id).state is ConcernState.ACKNOWLEDGED
    assert "not yet acknowledged" not in client.get("/").get_data(as_text=True)
    refused = client.post(f"/concerns/{concern.id}/close", data={"outcome": ""})
    assert refused.status_code == 400 and "Write the outcome." in refused.get_data(as_text=True)
    client.post(f"/concerns/{concern.id}/close", data={"outcome": "Child safe in shelter."})
    closed = fresh(session, Concern, concern.id)
    assert closed.state is ConcernState.CLOSED and closed.closing_note == "Child safe in shelter."
    actions = [e.action for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-1] == "concern.close"
    assert (
        actions.index("concern.raise")
        < actions.index("concern.view")
        < actions.index("concern.acknowledge")
    )
    for entry in session.scalars(sa.select(AuditEntry)):
        assert "money" not in entry.detail


def test_a_concern_item_is_absent_from_the_childrens_outputs(app, session, make, world):
    """Safeguarding items never reach "You said, we did", the queue or a vote."""
    board, facilitator = world.board, world.facilitator
    idea = make.proposal(board, "Help me, he hurts me")
    session.commit()
    with app.app_context():
        services.raise_concern(
            session, facilitator, idea, "seen", urgency="today", occurred_on=date(2026, 6, 1)
        )
    session.commit()
    from board.actions import queries as action_queries
    from board.moderation import queries

    assert queries.queue(session, board) == []
    assert action_queries.board_actions(session, board) == []
    assert action_queries.outcomes_for_children(session, board) == []
    assert "hurts" not in str(session.execute(sa.select(Action.__table__)).all())


def test_other_boards_cannot_see_or_act(app, client, auth, session, make, world):
    board, service, meeting = world.board, world.service, world.meeting
    facilitator = world.facilitator
    item = give(session, meeting, service, happened="text")
    with app.app_context():
        concern = services.raise_concern(
            session,
            facilitator,
            give(session, meeting, service, happened="danger"),
            "seen",
            urgency="today",
        )
    session.commit()
    stranger = make.user(Role.FACILITATOR, make.board())
    other_lead = make.user(Role.SAFEGUARDING_LEAD, make.board())
    make.commit()
    auth.as_user(stranger)
    assert client.get(f"/boards/{board.id}/moderation").status_code == 403
    assert (
        client.post(f"/moderation/feedback/{item.id}", data={"decision": "approve"}).status_code
        == 403
    )
    auth.as_user(other_lead)
    assert client.get(f"/concerns/{concern.id}").status_code == 403
    assert client.get(f"/boards/{board.id}/concerns").status_code == 403
    assert fresh(session, Feedback, item.id).moderation is ModerationState.PENDING


def test_purge_and_its_dry_run(app, runner, session, world):
    board, service, meeting = world.board, world.service, world.meeting
    facilitator = world.facilitator
    old = give(session, meeting, service, happened="old words")
    services.approve(session, facilitator, old, services.Removals({}, {}))
    session.execute(sa.update(Feedback).where(Feedback.id == old.id).values(day=date(2020, 1, 1)))
    recent = give(session, meeting, service, happened="new words")
    services.approve(session, facilitator, recent, services.Removals({}, {}))
    with app.app_context():
        concern = services.raise_concern(
            session,
            facilitator,
            give(session, meeting, service, happened="x"),
            "seen",
            urgency="week",
        )
        services.add_note(session, facilitator, concern, "contacted", "The case worker.")
    services.close_concern(session, facilitator, concern, outcome="done")
    session.execute(sa.update(Concern).values(closed_at=datetime(2015, 1, 1, tzinfo=UTC)))
    session.commit()
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert f"{board.name}: would delete 1 approved texts and 1 closed safeguarding" in dry.output
    assert fresh(session, Feedback, old.id).happened == "old words"
    real = runner.invoke(args=["purge"])
    assert real.exit_code == 0
    purged = fresh(session, Feedback, old.id)
    assert purged.happened is None and purged.rating == 3  # the aggregate stays
    assert fresh(session, Feedback, recent.id).happened == "new words"
    assert session.scalar(sa.select(sa.func.count()).select_from(Concern)) == 0
    # Its timeline follows the safeguarding records' retention: gone with it.
    assert session.scalar(sa.select(sa.func.count()).select_from(ConcernNote)) == 0
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "retention.purge"))
    assert entry.detail == "1 texts, 1 closed concerns"


def test_the_audit_log_has_no_route_that_changes_it(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}


def test_a_reject_without_a_known_reason_is_refused(client, auth, session, world):
    service, meeting, facilitator = world.service, world.meeting, world.facilitator
    item = give(session, meeting, service, happened="text")
    auth.as_user(facilitator)
    response = client.post(
        f"/moderation/feedback/{item.id}",
        data={"decision": "reject", "reason": "whatever"},
        follow_redirects=True,
    )
    assert "Choose a reason" in response.get_data(as_text=True)
    assert fresh(session, Feedback, item.id).moderation is ModerationState.PENDING


def test_facilitators_keep_the_list_of_names_to_look_for(client, auth, session, world):
    board, service, meeting = world.board, world.service, world.meeting
    facilitator = world.facilitator
    auth.as_user(facilitator)
    client.post(f"/boards/{board.id}/watch-names", data={"watch_names": " Besa \n\nArben "})
    session.expire_all()
    assert session.get(type(board), board.id).watch_names == "Besa\nArben"
    item = give(session, meeting, service, happened="besa was there")
    assert item.happened_spans == [[0, 4, "name"]]


def test_after_approving_the_queue_shows_what_partners_will_read(client, auth, session, world):
    board, service, meeting = world.board, world.service, world.meeting
    item = give(session, meeting, service, happened="Dritan at the clinic was kind.")
    auth.as_user(world.facilitator)
    spans = item.happened_spans
    response = client.post(
        f"/moderation/feedback/{item.id}",
        data={"decision": "approve", "remove": [f"happened:{s}:{e}" for s, e, _k in spans]},
    )
    location = response.headers["Location"]
    assert location.endswith(f"?approved=feedback-{item.id}#approved")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "partners will read:" in page and "[removed] at the clinic was kind." in page
    assert "Dritan at" not in page
    # Only an approved text of this board is shown, and only to its moderators.
    waiting = give(session, meeting, service, happened="Still waiting here.")
    shown = client.get(f"/boards/{board.id}/moderation?approved=feedback-{waiting.id}")
    assert "partners will read:" not in shown.get_data(as_text=True)
    other = world.other_board
    assert client.get(f"/boards/{other.id}/moderation?approved=feedback-{item.id}").status_code in (
        403,
        404,
    )
    # Not an id (too large for a column, or digits other than 0-9): nothing is shown.
    for bad in ("feedback-" + "9" * 20, "feedback-\u00b2", "proposal-\u0661\u0662", "feedback-0"):
        response = client.get(f"/boards/{board.id}/moderation?approved={bad}")
        assert response.status_code == 200, bad
        assert "partners will read:" not in response.get_data(as_text=True)


def test_the_queue_filters_by_meeting_and_service(client, auth, session, make, world):
    board, service, meeting = world.board, world.service, world.meeting
    other_service = make.service(board, name="Shelter")
    later = make.meeting(board, date(2030, 2, 9))
    session.commit()
    give(session, meeting, service, happened="January clinic text.")
    give(session, later, service, happened="February clinic text.")
    give(session, later, other_service, happened="February shelter text.")
    auth.as_user(world.facilitator)
    url = f"/boards/{board.id}/moderation"
    page = client.get(f"{url}?meeting={later.id}").get_data(as_text=True)
    assert "February clinic text." in page and "February shelter text." in page
    assert "January clinic text." not in page
    assert 'id="queue-filters"' in page and 'method="get"' in page
    page = client.get(f"{url}?meeting={later.id}&service={other_service.id}").get_data(True)
    assert "February shelter text." in page and "February clinic text." not in page
    page = client.get(f"{url}?service={service.id}&meeting=").get_data(as_text=True)
    assert "January clinic text." in page and "February clinic text." in page
    assert "February shelter text." not in page
    # Not a meeting of this board, or not a number: 400, the whole queue, the reason shown.
    foreign = make.meeting(world.other_board)
    session.commit()
    for bad in (
        f"meeting={foreign.id}",
        "meeting=abc",
        "service=99999",
        "meeting=1e9",
        "meeting=" + "9" * 30,
        "meeting=\u00b2",
        "service=-1",
    ):
        response = client.get(f"{url}?{bad}")
        assert response.status_code == 400, bad
        text = response.get_data(as_text=True)
        assert "Not a valid choice." in text and "January clinic text." in text


def test_approve_all_of_one_meeting_lists_and_approves_only_its_texts(
    client, auth, session, make, world
):
    """On a meeting day the facilitator moderates one meeting: "Approve all" from the
    filtered queue lists that meeting's clean texts only, and goes back to the same view."""
    board, service, meeting = world.board, world.service, world.meeting
    later = make.meeting(board, date(2030, 2, 9), place="Youth centre")
    session.commit()
    january = give(session, meeting, service, happened="January clinic text.")
    february = give(session, later, service, happened="February clinic text.")
    auth.as_user(world.facilitator)
    queue_page = client.get(f"/boards/{board.id}/moderation?meeting={later.id}").get_data(True)
    ask = f"/boards/{board.id}/moderation/approve-all?meeting={later.id}"
    assert ask in queue_page
    page = client.get(ask).get_data(as_text=True)
    assert listed_items(page) == [f"feedback:{february.id}"]
    assert "January clinic text." not in page and "Youth centre" in page
    assert f'name="meeting" value="{later.id}"' in page
    done = client.post(
        f"/boards/{board.id}/moderation/approve-all",
        data={
            "confirm": "y",
            "item": listed_items(page),
            "once": once_token(page),
            "meeting": later.id,
        },
    )
    assert done.status_code == 302 and f"meeting={later.id}" in done.headers["Location"]
    assert fresh(session, Feedback, february.id).moderation is ModerationState.APPROVED
    assert fresh(session, Feedback, january.id).moderation is ModerationState.PENDING
    # A meeting of another board: 400, and the reason at the field.
    foreign = make.meeting(world.other_board)
    session.commit()
    bad = client.get(f"/boards/{board.id}/moderation/approve-all?meeting={foreign.id}")
    assert bad.status_code == 400 and "Not a valid choice." in bad.get_data(as_text=True)
