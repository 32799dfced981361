"""A safeguarding concern as a case (issue 18, item 3; CHILD-SAFETY rule 13): raised from a
text, a help call or the room with its urgency and reason; worked on a timeline of dated,
audited notes; immediate danger mailed to every lead and administrator of the board and kept
on top of their home pages until acknowledged; exported once, by a lead."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from alembic.script import ScriptDirectory

from board import migrate
from board.actions.models import Action
from board.audit.models import AuditEntry
from board.auth.models import Role, RoleAssignment
from board.feedback import services as feedback_services
from board.feedback.models import Feedback
from board.mail import MailMessage
from board.meetings import services as meetings
from board.moderation import services
from board.moderation.models import (
    Concern,
    ConcernExport,
    ConcernNote,
    ConcernSource,
    ConcernState,
    ConcernUrgency,
    NoteKind,
)
from board.states import ModerationState
from tests.test_mail import Inbox, free_port, mail_config

WORDS = "He takes my money and hits me."
REASON = "Possible exploitation by an adult."


@pytest.fixture
def world(session, make):
    """``factories.World`` with a meeting in "Room 2" on 12 January 2030."""
    world = make.world()
    world.meeting = make.meeting(world.board, place="Room 2")
    session.commit()
    return world


def give(session, world, happened=WORDS) -> Feedback:
    given = feedback_services.give_feedback(
        session,
        world.meeting,
        world.service,
        rating=2,
        happened=happened,
        better=None,
        language="en",
    )
    session.commit()
    return session.get(Feedback, given)


def fresh(session, model, ident):
    session.expire_all()
    return session.get(model, ident)


def raised(session, app, world, urgency="today", **kw) -> Concern:
    with app.app_context():
        concern = services.raise_concern_in_room(
            session, world.facilitator, world.meeting, kw.pop("reason", REASON), urgency=urgency
        )
    session.commit()
    return concern


def actions(session, **where) -> list[str]:
    query = sa.select(AuditEntry.action).order_by(AuditEntry.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(session.scalars(query))


# Raising ---------------------------------------------------------------------------------


def test_a_text_is_raised_with_its_urgency_reason_meeting_date_and_place(
    client, auth, session, world
):
    item = give(session, world)
    auth.as_user(world.facilitator)
    response = client.post(
        f"/moderation/feedback/{item.id}",
        data={"decision": "concern", "concern_urgency": "week", "concern_reason": REASON},
    )
    assert response.status_code == 302
    concern = session.scalar(sa.select(Concern))
    assert (concern.source, concern.urgency) == (ConcernSource.FEEDBACK, ConcernUrgency.WEEK)
    assert (concern.words, concern.reason) == (WORDS, REASON)
    assert (concern.occurred_on, concern.place) == (date(2030, 1, 12), "Room 2")
    assert concern.meeting_id == world.meeting.id
    assert fresh(session, Feedback, item.id).moderation is ModerationState.SAFEGUARDING


def test_a_childs_idea_is_raised_with_the_date_and_place_the_facilitator_gives(
    client, auth, session, world, make
):
    idea = make.proposal(world.board, "He hurts me")
    session.commit()
    auth.as_user(world.facilitator)
    client.post(
        f"/moderation/proposal/{idea.id}",
        data={
            "decision": "concern",
            "concern_urgency": "today",
            "concern_reason": REASON,
            "concern_occurred_on": "2026-06-19",
            "concern_place": "The drop-in centre",
        },
    )
    concern = session.scalar(sa.select(Concern))
    assert concern.source is ConcernSource.PROPOSAL and concern.meeting_id is None
    assert (concern.occurred_on, concern.place) == (date(2026, 6, 19), "The drop-in centre")
    assert concern.words == "He hurts me"
    # The queue offers those two fields for an idea, the date filled in.
    assert fresh(session, Action, idea.id).moderation is ModerationState.SAFEGUARDING


def test_a_help_call_asks_what_the_child_said(client, auth, session, world):
    call = meetings.call_for_help(session, world.meeting)
    session.commit()
    auth.as_user(world.facilitator)
    control = client.get(f"/meetings/{world.meeting.id}").get_data(as_text=True)
    assert f'method="get" action="/help-calls/{call.id}/concern"' in control
    form = client.get(f"/help-calls/{call.id}/concern")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    for words in ("What the child said", "How urgent is it?", "Immediate danger", "Room 2"):
        assert words in page
    response = client.post(
        f"/help-calls/{call.id}/concern",
        data={"words": "They took my papers.", "urgency": "today", "reason": REASON},
    )
    assert response.headers["Location"].endswith(f"/meetings/{world.meeting.id}")
    concern = session.scalar(sa.select(Concern))
    assert concern.source is ConcernSource.HELP_CALL and concern.help_call_id == call.id
    assert concern.words == "They took my papers." and concern.reason == REASON
    assert (concern.occurred_on, concern.place) == (date(2030, 1, 12), "Room 2")
    assert fresh(session, type(call), call.id).handled_at is not None
    # Raised once: a second sending is refused, saying so, with what was typed.
    again = client.post(
        f"/help-calls/{call.id}/concern",
        data={"words": "Again.", "urgency": "today", "reason": REASON},
    )
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert "A concern was raised for this call already." in text and "Again." in text
    assert session.scalar(sa.select(sa.func.count()).select_from(Concern)) == 1


def test_something_seen_in_the_room(client, auth, session, world):
    auth.as_user(world.facilitator)
    control = client.get(f"/meetings/{world.meeting.id}").get_data(as_text=True)
    assert f'href="/meetings/{world.meeting.id}/concern"' in control
    page = client.get(f"/meetings/{world.meeting.id}/concern").get_data(as_text=True)
    assert "What you saw or heard" in page and "What the child said" not in page
    client.post(
        f"/meetings/{world.meeting.id}/concern",
        data={"urgency": "immediate", "reason": "A man waits outside for a girl."},
    )
    concern = session.scalar(sa.select(Concern))
    assert concern.source is ConcernSource.OTHER and concern.urgency is ConcernUrgency.IMMEDIATE
    assert concern.reason == "A man waits outside for a girl." and concern.words == ""


@pytest.mark.parametrize(
    ("source", "data", "missing"),
    [
        ("feedback", {"concern_reason": "  "}, ["Choose how urgent it is.", "Write why"]),
        ("feedback", {"concern_urgency": "today"}, ["Write why you raise this concern."]),
        ("help_call", {"urgency": "week", "reason": REASON}, ["Write what the child said."]),
        ("help_call", {"words": "Help.", "reason": REASON}, ["Choose how urgent it is."]),
        ("room", {"urgency": "today", "reason": ""}, ["Write what you saw or heard."]),
        ("room", {"urgency": "soon", "reason": "Bruises."}, ["Not a valid choice."]),
    ],
)
def test_an_empty_reason_or_no_urgency_is_refused_at_the_field_and_nothing_is_lost(
    client, auth, session, world, source, data, missing
):
    item = give(session, world)
    call = meetings.call_for_help(session, world.meeting)
    session.commit()
    auth.as_user(world.facilitator)
    url = {
        "feedback": f"/moderation/feedback/{item.id}",
        "help_call": f"/help-calls/{call.id}/concern",
        "room": f"/meetings/{world.meeting.id}/concern",
    }[source]
    if source == "feedback":
        data = {**data, "decision": "concern"}
    response = client.post(url, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for message in missing:
        assert message in page
    assert 'class="error"' in page  # at the field
    for name, value in data.items():
        if name in ("words", "reason", "concern_reason") and value.strip():
            assert f"{value}</textarea>" in page
        if name.endswith("urgency") and value in set(ConcernUrgency):
            assert re.search(f'<input [^>]*checked[^>]*value="{value}"', page)
    assert session.scalar(sa.select(sa.func.count()).select_from(Concern)) == 0
    assert fresh(session, Feedback, item.id).moderation is ModerationState.PENDING
    assert "concern.raise" not in actions(session)


# The lead's timeline -----------------------------------------------------------------------


def test_the_lead_works_the_case_on_a_timeline_each_step_audited_without_words(
    app, client, auth, session, world
):
    concern = raised(session, app, world, reason="Bruises on the arm.")
    auth.as_user(world.lead)
    client.post(f"/concerns/{concern.id}/acknowledge")
    steps = [
        ("contacted", "The case worker, by phone."),
        ("referred", "Child protection unit of the municipality."),
        ("note", "The child is staying at the shelter tonight."),
    ]
    for kind, text in steps:
        response = client.post(f"/concerns/{concern.id}/notes", data={"kind": kind, "text": text})
        assert response.status_code == 302
    client.post(f"/concerns/{concern.id}/close", data={"outcome": "Safe; the case is with CPU."})
    notes = fresh(session, Concern, concern.id).notes
    assert [n.kind for n in notes] == [
        NoteKind.ACKNOWLEDGED,
        NoteKind.CONTACTED,
        NoteKind.REFERRED,
        NoteKind.NOTE,
        NoteKind.CLOSED,
    ]
    assert all(n.by_id == world.lead.id for n in notes)
    closed = fresh(session, Concern, concern.id)
    assert closed.state is ConcernState.CLOSED and closed.closing_note == notes[-1].text
    assert actions(session, actor_id=world.lead.id, target_type="concern")[-5:] == [
        "concern.acknowledge",
        "concern.contact",
        "concern.refer",
        "concern.note",
        "concern.close",
    ]
    details = " ".join(session.scalars(sa.select(AuditEntry.detail)))
    for words in ("phone", "CPU", "shelter", "Bruises", "municipality"):
        assert words not in details
    page = client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    timeline = page[page.index('<ol class="timeline">') :]
    positions = [timeline.index(text) for _kind, text in steps]
    assert positions == sorted(positions)
    assert "Add to the timeline" not in page  # closed: the timeline is complete
    refused = client.post(
        f"/concerns/{concern.id}/notes", data={"kind": "note", "text": "Late: called the aunt."}
    )
    late = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "This concern is closed already." in late
    assert "Late: called the aunt." in late  # shown back to copy, not lost
    again = client.post(f"/concerns/{concern.id}/close", data={"outcome": "Moved to Durrës."})
    assert again.status_code == 409 and "Moved to Durrës." in again.get_data(as_text=True)
    assert fresh(session, Concern, concern.id).closing_note == notes[-1].text  # nothing twice


def test_a_note_needs_its_kind_and_text_and_keeps_what_was_typed(app, client, auth, session, world):
    concern = raised(session, app, world)
    auth.as_user(world.lead)
    empty = client.post(f"/concerns/{concern.id}/notes", data={"kind": "referred", "text": " "})
    assert empty.status_code == 400
    page = empty.get_data(as_text=True)
    assert "Write the note." in page and re.search('<input checked[^>]*value="referred"', page)
    kindless = client.post(f"/concerns/{concern.id}/notes", data={"text": "Called the police."})
    page = kindless.get_data(as_text=True)
    assert kindless.status_code == 400 and "Choose what the note is about." in page
    assert "Called the police.</textarea>" in page
    assert fresh(session, Concern, concern.id).notes == []
    # A note acknowledges an open concern: someone is working on it.
    client.post(f"/concerns/{concern.id}/notes", data={"kind": "contacted", "text": "Police."})
    kinds = [n.kind for n in fresh(session, Concern, concern.id).notes]
    assert kinds == [NoteKind.ACKNOWLEDGED, NoteKind.CONTACTED]


def test_the_lead_sees_meeting_date_place_who_and_urgency(app, client, auth, session, world):
    concern = raised(session, app, world, urgency="immediate")
    auth.as_user(world.lead)
    page = client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    for words in ("Immediate danger", "12 January 2030", "Room 2", world.facilitator.name, REASON):
        assert words in page


def test_one_reading_is_one_entry(app, client, auth, session, world):
    concern = raised(session, app, world)
    auth.as_user(world.lead)
    client.get(f"/concerns/{concern.id}")
    assert actions(session, action="concern.view") == ["concern.view"]
    client.get(f"/boards/{world.board.id}/concerns")  # the list shows no words: not a reading
    assert actions(session, action="concern.view") == ["concern.view"]
    auth.as_user(world.facilitator)
    assert client.get(f"/concerns/{concern.id}").status_code == 403
    assert actions(session, action="concern.view") == ["concern.view"]


def test_the_list_sorts_by_urgency_then_age(app, client, auth, session, world):
    made = {}
    for urgency, reason, hours in [
        ("week", "old week", 30),
        ("today", "new today", 1),
        ("immediate", "new immediate", 2),
        ("today", "old today", 20),
    ]:
        concern = raised(session, app, world, urgency=urgency, reason=reason)
        concern.raised_at = datetime(2026, 6, 20, 8, tzinfo=UTC) - timedelta(hours=hours)
        made[reason] = concern
    closed = raised(session, app, world, urgency="immediate", reason="closed")
    services.close_concern(session, world.lead, closed, outcome="Done.")
    session.commit()
    auth.as_user(world.lead)
    page = client.get(f"/boards/{world.board.id}/concerns").get_data(as_text=True)
    order = ["new immediate", "old today", "new today", "old week", "closed"]
    ids = [(made.get(r) or closed).id for r in order]
    positions = [page.index(f'/concerns/{i}"') for i in ids]
    assert positions == sorted(positions)
    assert "Immediate danger" in page and "Room 2" in page and world.facilitator.name in page


# Immediate danger ------------------------------------------------------------------------


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def test_immediate_danger_mails_every_lead_and_administrator_after_the_commit(
    make_app, smtp, session, world, make
):
    app = make_app(**mail_config(smtp.port))
    second_lead = make.user(Role.SAFEGUARDING_LEAD, world.board)
    lead_and_admin = make.user(Role.SAFEGUARDING_LEAD, world.board)
    make.session.add(RoleAssignment(user=lead_and_admin, role=Role.ADMINISTRATOR))
    other_lead = make.user(Role.SAFEGUARDING_LEAD, world.other_board)
    make.commit()
    with app.app_context():
        concern = services.raise_concern_in_room(
            session, world.facilitator, world.meeting, "A man waits outside.", urgency="immediate"
        )
        session.flush()
        assert smtp.messages == []  # nothing leaves inside the transaction
    session.commit()
    told = sorted(m["To"] for m in smtp.messages)
    expected = [world.lead, second_lead, lead_and_admin, world.admin]
    assert told == sorted(p.email for p in expected)  # once each, nobody else
    assert other_lead.email not in told and world.facilitator.email not in told
    for message in smtp.messages:
        assert message["Subject"].startswith("Immediate danger")
        assert f"/concerns/{concern.id}" in message.get_content()
        assert "man waits" not in message.as_string()
    assert session.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 0


def test_a_concern_that_is_not_immediate_is_mailed_to_the_leads_only(
    make_app, smtp, session, world
):
    app = make_app(**mail_config(smtp.port))
    with app.app_context():
        services.raise_concern_in_room(
            session, world.facilitator, world.meeting, "Seen.", urgency="today"
        )
    session.commit()
    assert [m["To"] for m in smtp.messages] == [world.lead.email]


def test_immediate_danger_stays_on_top_of_home_until_acknowledged(
    app, client, auth, session, world
):
    concern = raised(session, app, world, urgency="immediate", reason="A man waits outside.")
    raised(session, app, world, urgency="today", reason="Not on the banner.")
    heading = "A child may be in immediate danger"
    link = f'href="/concerns/{concern.id}"'
    for person in (world.facilitator, world.lead, world.admin):
        auth.as_user(person)
        home = client.get("/").get_data(as_text=True)
        assert heading in home
        assert "man waits" not in home and "Not on the banner" not in home
        banner = home[home.index(heading) : home.index("</section>", home.index(heading))]
        assert (link in banner) is (person is not world.facilitator)
        assert banner.count("<li>") == 1
    for person in (world.other_facilitator, world.partner):
        auth.as_user(person)
        assert heading not in client.get("/").get_data(as_text=True)
    auth.as_user(world.lead)
    home = client.get("/").get_data(as_text=True)
    assert f'action="/concerns/{concern.id}/acknowledge"' in home
    client.post(f"/concerns/{concern.id}/acknowledge")
    for person in (world.facilitator, world.lead, world.admin):
        auth.as_user(person)
        assert heading not in client.get("/").get_data(as_text=True)


# Export ----------------------------------------------------------------------------------


def test_a_lead_exports_the_concerns_once_and_it_is_audited(app, client, auth, session, world):
    concern = raised(session, app, world, reason='=HYPERLINK("http://evil")')
    services.add_note(session, world.lead, concern, "referred", "@SUM(1+1) the CPU")
    session.commit()
    auth.as_user(world.lead)
    listing = client.get(f"/boards/{world.board.id}/concerns").get_data(as_text=True)
    assert "Make a file for the case system" in listing
    made = client.post(f"/boards/{world.board.id}/concerns/export")
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    start = page.index('href="/concern-exports/') + len('href="')
    url = page[start : page.index('"', start)]
    assert actions(session, action="concern.export") == []  # made, not yet read
    asked = client.head(url)  # a download manager asks first: nothing taken, nothing logged
    assert asked.status_code == 200 and asked.get_data() == b""
    assert actions(session, action="concern.export") == []
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "text/csv"
    assert "attachment" in first.headers["Content-Disposition"]
    assert first.headers["Cache-Control"] == "no-store"
    header, *rows = list(csv.reader(io.StringIO(first.get_data(as_text=True))))
    assert header[0] == "concern" and "entry" in header
    entries = [row[header.index("entry")] for row in rows]
    assert entries == ["raised", "acknowledged", "referred"]
    texts = {row[header.index("entry_text")] for row in rows}
    assert "'@SUM(1+1) the CPU" in texts  # no formula reaches a spreadsheet
    assert {row[header.index("reason")] for row in rows} == {'\'=HYPERLINK("http://evil")'}
    assert {row[header.index("date")] for row in rows} == {"2030-01-12"}
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "concern.export"))
    assert entry.actor_id == world.lead.id and entry.board_id == world.board.id
    assert entry.detail == "1 concerns"
    second = client.get(url)
    assert second.status_code == 410
    assert "This file was downloaded already." in second.get_data(as_text=True)
    assert actions(session, action="concern.export") == ["concern.export"]


def test_only_the_lead_who_made_it_may_export_or_download(app, client, auth, session, world, make):
    raised(session, app, world)
    other_lead = make.user(Role.SAFEGUARDING_LEAD, world.board)
    make.commit()
    auth.as_user(world.admin)  # reads concerns, but is not the board's lead
    assert client.post(f"/boards/{world.board.id}/concerns/export").status_code == 403
    assert "Make a file for the case system" not in client.get(
        f"/boards/{world.board.id}/concerns"
    ).get_data(as_text=True)
    token = services.prepare_export(session, world.lead, world.board)
    session.commit()
    for person in (world.admin, other_lead, world.facilitator):
        auth.as_user(person)
        assert client.get(f"/concern-exports/{token}").status_code == 403
    assert client.get("/concern-exports/not-a-token").status_code == 404
    assert session.scalar(sa.select(ConcernExport.downloaded_at)) is None
    assert actions(session, action="concern.export") == []


def test_an_export_link_expires_after_fifteen_minutes(app, client, auth, session, world):
    raised(session, app, world)
    auth.as_user(world.lead)

    def link() -> str:
        page = client.post(f"/boards/{world.board.id}/concerns/export").get_data(as_text=True)
        assert "The link stops working after 15 minutes." in page
        start = page.index('href="/concern-exports/') + len('href="')
        return page[start : page.index('"', start)]

    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False) as clock:
        late, in_time = link(), link()
        clock.move_to(datetime(2026, 6, 20, 9, 15, tzinfo=UTC))
        assert client.get(in_time).status_code == 200  # the fifteenth minute still counts
        clock.move_to(datetime(2026, 6, 20, 9, 15, 1, tzinfo=UTC))
        gone = client.get(late)
        assert gone.status_code == 410
        assert "This link has expired. Make a new export" in gone.get_data(as_text=True)
        # Nothing was read; a new link works.
        assert actions(session, action="concern.export") == ["concern.export"]
        assert client.get(link()).status_code == 200


# Keeping and migrating -------------------------------------------------------------------


def test_existing_concerns_move_onto_the_timeline(app, session, world):
    """The migration: action taken, referral and closing become notes; the meeting gives the
    date and place; urgency is "today"."""
    script = ScriptDirectory.from_config(migrate.alembic_config(app))
    before = script.get_revision("case01concern").down_revision
    session.close()
    try:
        migrate.downgrade(app, before)
        with session.begin():
            session.execute(
                sa.text(
                    "INSERT INTO concern (board_id, meeting_id, source, words, reason, state,"
                    " raised_at, raised_by_id, acknowledged_at, acknowledged_by_id,"
                    " action_taken, referral, closing_note, closed_at, closed_by_id) VALUES"
                    " (:board, :meeting, 'other', '', 'seen', 'closed', :t0, :f, :t1, :lead,"
                    " 'Talked with the child.', 'Case worker.', 'Safe.', :t2, :lead)"
                ),
                {
                    "board": world.board.id,
                    "meeting": world.meeting.id,
                    "t0": datetime(2030, 1, 12, 9, 30, tzinfo=UTC),
                    "t1": datetime(2030, 1, 12, 11, tzinfo=UTC),
                    "t2": datetime(2030, 1, 13, 9, tzinfo=UTC),
                    "f": world.facilitator.id,
                    "lead": world.lead.id,
                },
            )
        migrate.upgrade(app)
        concern = session.scalar(sa.select(Concern))
        assert concern.urgency is ConcernUrgency.TODAY
        assert (concern.occurred_on, concern.place) == (date(2030, 1, 12), "Room 2")
        assert [(n.kind, n.text, n.by_id) for n in concern.notes] == [
            (NoteKind.ACKNOWLEDGED, "", world.lead.id),
            (NoteKind.NOTE, "Talked with the child.", world.lead.id),
            (NoteKind.REFERRED, "Case worker.", world.lead.id),
            (NoteKind.CLOSED, "Safe.", world.lead.id),
        ]
        assert concern.notes[0].at == datetime(2030, 1, 12, 11, tzinfo=UTC)
    finally:
        session.rollback()
        migrate.upgrade(app)


def test_notes_are_scrubbed_and_purged_with_the_concern(app, runner, session, world):
    from board.db import WORDS_TABLES

    assert "concern_note" in WORDS_TABLES
    concern = raised(session, app, world)
    services.add_note(session, world.lead, concern, "note", "Words of the case.")
    services.close_concern(session, world.lead, concern, outcome="Closed.")
    session.execute(sa.update(Concern).values(closed_at=datetime(2015, 1, 1, tzinfo=UTC)))
    session.commit()
    assert runner.invoke(args=["purge"]).exit_code == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(ConcernNote)) == 0


def test_a_concern_not_acknowledged_in_its_time_is_marked_overdue(
    app, client, auth, session, world
):
    """An hour for immediate danger, a day for "today", a week for "this week": after that
    the lead's home page and the board's list say "Overdue"."""
    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False) as clock:
        today = raised(session, app, world, urgency="today")
        raised(session, app, world, urgency="week")
        auth.as_user(world.lead)
        assert "Overdue" not in client.get("/").text
        clock.shift(timedelta(days=2))
        auth.as_user(world.lead)  # a new day, a new sign-in
        home = client.get("/").text
        assert home.count("Overdue") == 1
        listing = client.get(f"/boards/{world.board.id}/concerns").text
        assert listing.count("Overdue") == 1
        services.acknowledge_concern(session, world.lead, today)
        session.commit()
        home = client.get("/").text
        assert "Overdue" not in home
        # Acknowledged, it stays on the lead's home page as a case being worked on.
        cases = home[home.index("Concerns you are working on") :]
        assert f'href="/concerns/{today.id}"' in cases and "last entry: Acknowledged" in cases
        services.close_concern(session, world.lead, today, outcome="Referred to the CPU.")
        session.commit()
        assert "Concerns you are working on" not in client.get("/").text
