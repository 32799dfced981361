"""Summaries: composed from disclosure-controlled figures and approved words, published to
the partners named to the children and no one else, answered, and heard by the children."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from board.auth.access import can_answer_summary, can_read_summary
from board.auth.models import Role
from board.auth.queries import users_with_role
from board.feedback.models import Feedback
from board.room import services as room
from board.summaries import services
from board.summaries.models import Response, Summary, SummaryState
from board.summaries.security import sanitize_html
from tests.factories import after, compose, csv_table, let_in, publish


@pytest.fixture(autouse=True)
def april():
    """The clock on 2 April 2030: March is over, so its summary can be published."""
    with after(date(2030, 3, 1)):
        yield


@pytest.fixture
def world(make):
    """City hall's March 2030 on a board of threshold 5 (``Factory.rated_month``)."""
    return make.rated_month(make.world(languages="en sq", threshold_k=5))


def _publish(client, session, make, world, summary):
    """The facilitator moderates the text still waiting, then publishes from the preview."""
    make.moderated(world.board)
    make.commit()
    assert publish(client, summary).status_code == 302


def test_the_whole_loop(client, auth, session, make, world, app):
    board, people = world.board, world.people
    summary, _ = compose(
        client, auth, session, board, people, quotes=[f"{_quote_id(session)}:happened"]
    )
    preview = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert "Preview: this is exactly what partners will see" in preview
    assert "The nurse listened." in preview and "Not yet moderated" not in preview
    # Figures through disclosure control: 12 ratings of the clinic (the concern's is out).
    assert "<td>12</td>" in preview
    # Partners cannot read a draft.
    auth.as_user(people["partner"])
    assert client.get(f"/summaries/{summary.id}").status_code == 404
    auth.as_user(people["facilitator"])
    _publish(client, session, make, world, summary)
    session.expire_all()
    published = session.get(Summary, summary.id)
    assert published.state is SummaryState.PUBLISHED
    assert [o.name for o in published.recipients] == ["City hall"]  # not "Joined later"
    # The partner reads, exports and answers.
    auth.as_user(people["partner"])
    assert f"/summaries/{summary.id}" in client.get("/").get_data(as_text=True)
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert "Answer this" in page
    exported = client.get(f"/summaries/{summary.id}.csv").get_data(as_text=True)
    header, rows = csv_table(exported, "ratings")
    assert header[:4] == ["service", "period", "shown as", "ratings"]
    clinic_row = next(r for r in rows if r[0] == "Clinic")
    assert clinic_row[3] == "12"
    school_row = next(r for r in rows if r[0] == "School")
    assert school_row[3] == "6" and school_row[4:9] == ["-"] * 5  # 1 child rated it Very bad
    for table in ("votes", "attendance", "findings", "recommendations", "quotes", "answers"):
        csv_table(exported, table)  # every table of the summary is there
    data = client.get(f"/summaries/{summary.id}.json").json
    quotes = [i for i in data["items"] if i["kind"] == "quote"]
    assert [(q["text"], q["month"]) for q in quotes] == [("The nurse listened.", "2030-03")]
    assert data["threshold"] == 5 and data["period"]["label"] == "2030-03"
    item = next(i for i in published.items if i.kind.value == "recommendation")
    client.post(
        f"/summary-items/{item.id}/respond",
        data={"status": "partly", "what": "Saturday mornings from June.", "by_when": "2030-06-01"},
    )
    response = session.scalar(sa.select(Response))
    assert response.status.value == "partly" and not response.approved_for_children
    # The facilitator puts it in children's words; the children see it.
    auth.as_user(people["facilitator"])
    client.post(
        f"/responses/{response.id}/children",
        data={
            "text-en": "The clinic will open on Saturday mornings from June.",
            "text-sq": "Klinika do të hapet të shtunën në mëngjes nga qershori.",
        },
    )
    meeting = make.meeting(board, date(2030, 4, 13), duration_minutes=60)
    session.commit()
    tablet = app.test_client()
    tablet.post("/join", data={"code": meeting.join_code})
    tablet.post("/join/language", data={"lang": "sq"})
    tablet.post("/join/welcome")
    assert let_in(tablet)
    outcomes = tablet.get("/meeting/outcomes").get_data(as_text=True)
    assert "Klinika do të hapet" in outcomes and "City hall" in outcomes


def _quote_id(session):
    return session.scalar(sa.select(Feedback.id).where(Feedback.happened == "The nurse listened."))


def test_only_the_named_partners_read_it(client, auth, session, make, world):
    board, people = world.board, world.people
    summary, _ = compose(client, auth, session, board, people)
    _publish(client, session, make, world, summary)
    for who in ("late", "other"):
        auth.as_user(people[who])
        assert client.get(f"/summaries/{summary.id}").status_code == 403
        assert client.get(f"/summaries/{summary.id}.csv").status_code == 403
        item = session.scalars(sa.select(Summary)).first().items[0]
        assert (
            client.post(
                f"/summary-items/{item.id}/respond", data={"status": "accepted", "what": "x"}
            ).status_code
            == 403
        )


def test_a_narrative_full_of_script_is_cleaned(client, auth, session, world):
    board, people = world.board, world.people
    summary, _ = compose(
        client,
        auth,
        session,
        board,
        people,
        narrative=(
            '<script>alert(1)</script><p onclick="x()">Hi <a href="https://evil">there</a></p>'
        ),
    )
    session.expire_all()
    narrative = session.get(Summary, summary.id).narrative
    assert "<script" not in narrative and "onclick" not in narrative and "href" not in narrative
    assert "alert" not in narrative and narrative == "<p>Hi there</p>"
    assert sanitize_html("<h3>Title</h3><em>ok</em>") == "<h3>Title</h3><em>ok</em>"
    assert sanitize_html("a<STYLE>p{}</style >b<script>x") == "ab"


def test_only_approved_words_can_be_quoted(client, auth, session, world):
    board, people = world.board, world.people
    pending = session.scalar(sa.select(Feedback.id).where(Feedback.happened == "Not yet moderated"))
    summary, response = compose(
        client, auth, session, board, people, quotes=[f"{pending}:happened"]
    )
    assert response.status_code == 400
    assert not any(i.kind.value == "quote" for i in session.get(Summary, summary.id).items)


def test_csv_cells_cannot_start_a_formula(client, auth, session, world, make):
    board, people = world.board, world.people
    board.services[0].name = '=HYPERLINK("http://evil")'
    session.commit()
    summary, _ = compose(client, auth, session, board, people)
    text = client.get(f"/summaries/{summary.id}.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert not any(cell.startswith("=") for cell in cells)


def test_publishing_needs_named_partners(client, auth, session, make):
    board = make.board()
    make.service(board)
    meeting = make.meeting(board, date(2030, 3, 9), duration_minutes=60)
    room.close_meeting(session, None, meeting)
    facilitator = make.user(Role.FACILITATOR, board)
    make.commit()
    auth.as_user(facilitator)
    client.post(f"/boards/{board.id}/summaries", data={"period": "2030-03-01/1"})
    summary = session.scalar(sa.select(Summary))
    response = publish(client, summary)
    assert response.status_code == 400
    assert "No partner was named to the children" in response.get_data(as_text=True)


def test_what_still_waits_for_an_answer(client, auth, session, make, world):
    board, people = world.board, world.people
    summary, _ = compose(client, auth, session, board, people)
    _publish(client, session, make, world, summary)
    page = client.get("/answers/waiting").get_data(as_text=True)
    assert "Open the clinic on Saturdays" in page and "today" in page and "0 days" not in page
    auth.as_user(people["partner"])
    assert "Open the clinic on Saturdays" in client.get("/answers/waiting").get_data(as_text=True)
    item = next(
        i for i in session.get(Summary, summary.id).items if i.kind.value == "recommendation"
    )
    client.post(f"/summary-items/{item.id}/respond", data={"status": "accepted", "what": "Yes."})
    assert "Open the clinic on Saturdays" not in client.get("/answers/waiting").get_data(
        as_text=True
    )
    auth.as_user(people["other"])
    assert "Open the clinic" not in client.get("/answers/waiting").get_data(as_text=True)


def test_quotes_carry_the_month_and_no_finer_date(client, auth, session, make, world):
    """CHILD-SAFETY rule 17: nothing more precise than the month goes with a child's words."""
    board, people = world.board, world.people
    summary, _ = compose(
        client, auth, session, board, people, quotes=[f"{_quote_id(session)}:happened"]
    )
    _publish(client, session, make, world, summary)
    auth.as_user(people["partner"])
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    exported = client.get(f"/summaries/{summary.id}.json").get_data(as_text=True)
    assert "The nurse listened." in page and "(March 2030)" in page
    for text in (page, exported, client.get(f"/summaries/{summary.id}.csv").get_data(as_text=True)):
        assert "2030-03-09" not in text and "09.03.2030" not in text


def test_who_reads_and_who_answers_a_summary(app, session, world, make):
    board, people = world.board, world.people
    admin = make.user(Role.ADMINISTRATOR)
    summary = services.start_summary(session, None, board, date(2030, 3, 1))
    assert can_read_summary(people["facilitator"], summary) and can_read_summary(admin, summary)
    assert not can_read_summary(people["partner"], summary)  # a draft
    make.moderated(board)
    with app.app_context():
        services.publish(session, None, summary)
    assert can_read_summary(people["partner"], summary)
    assert can_answer_summary(people["partner"], summary)
    for who in ("late", "other"):  # linked after the meeting, or never
        assert not can_read_summary(people[who], summary)
        assert not can_answer_summary(people[who], summary)
    # Staff read it; only the partners it was sent to answer it.
    assert not can_answer_summary(people["facilitator"], summary)
    assert not can_answer_summary(admin, summary)


def test_users_with_role_are_the_active_holders(session, world, make):
    board, people = world.board, world.people
    lead = make.user(Role.SAFEGUARDING_LEAD, board)
    make.user(Role.SAFEGUARDING_LEAD, make.board())  # another board's
    make.user(Role.SAFEGUARDING_LEAD, board, active=False)
    assert users_with_role(session, board.id, Role.SAFEGUARDING_LEAD) == [people["lead"], lead]
    assert users_with_role(session, board.id, Role.FACILITATOR) == [people["facilitator"]]
    city_hall = people["partner"].organisation_id
    found = users_with_role(session, None, Role.PARTNER, organisation_ids=[city_hall])
    assert found == [people["partner"]]
    assert len(users_with_role(session, None, Role.PARTNER)) == 3
