"""Answers partners keep up to date (issue 15, item 6): an edit keeps the earlier words as
a dated version, a withdrawal shows as such, children hear only the newest answer once its
wording is approved again, and bad input keeps the reader at the item with what they typed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from board.audit.models import AuditEntry
from board.auth.access import can_change_response
from board.auth.models import Role
from board.summaries import queries, services
from board.summaries.models import ItemKind, Response, ResponseStatus
from tests.factories import after

MARCH = date(2030, 3, 1)


@pytest.fixture(autouse=True)
def april():
    """2 April 2030, the day after March's summary was published (tests move on from it)."""
    with after(MARCH):
        yield


@pytest.fixture
def world(app, session, make):
    """City hall's March 2030 (``Factory.rated_month``), moderated, with a recommendation,
    published on 2 April 2030; ``world.item`` is the recommendation."""
    world = make.rated_month(make.world(languages="en sq", threshold_k=5))
    make.moderated(world.board)
    with app.app_context():
        summary = services.start_summary(session, None, world.board, MARCH)
        services.save_draft(
            session,
            None,
            summary,
            narrative="",
            recommendations=["Open the clinic on Saturdays"],
            quotes=[],
        )
        services.publish(session, None, summary)
    world.summary = summary
    world.item = next(i for i in summary.items if i.kind is ItemKind.RECOMMENDATION)
    world.people["colleague"] = make.user(Role.PARTNER, organisation=world.org)
    make.commit()
    return world


def _answer(client, world, what="Saturday mornings from June.", **data):
    return client.post(
        f"/summary-items/{world.item.id}/respond",
        data={"status": "partly", "what": what, "by_when": "2030-06-01", **data},
    )


def _edit(client, response, what="Saturdays and Sundays from May.", **data):
    return client.post(
        f"/responses/{response.id}/edit",
        data={"status": "accepted", "what": what, "by_when": "2030-05-01", **data},
    )


def _response(session) -> Response:
    session.expire_all()
    return session.scalars(sa.select(Response).order_by(Response.id.desc())).first()


def _item_form(page: str, item_id: int) -> str:
    """The item's article on the page."""
    start = page.index(f'id="item-{item_id}"')
    return page[start : page.index("</article>", start)]


def test_an_edit_keeps_the_earlier_words_as_a_dated_version(client, auth, session, world):
    auth.as_user(world.partner)
    assert _answer(client, world).status_code == 302
    first = _response(session)
    with time_machine.travel(datetime(2030, 4, 10, 9, 0, tzinfo=UTC), tick=True):
        auth.as_user(world.people["colleague"])  # another partner of City hall
        assert _edit(client, first).status_code == 302
        page = client.get(f"/summaries/{world.summary.id}").get_data(as_text=True)
    response = _response(session)
    assert response.id == first.id  # one answer, brought up to date
    assert response.status is ResponseStatus.ACCEPTED and response.by_when == date(2030, 5, 1)
    assert [(v.status, v.what, v.by_when) for v in response.versions] == [
        (ResponseStatus.PARTLY, "Saturday mornings from June.", date(2030, 6, 1))
    ]
    assert response.versions[0].written_at == response.created_at
    assert response.changed_at.date() == date(2030, 4, 10)
    item = _item_form(page, world.item.id)
    assert "City hall: We will do it" in item and "Saturdays and Sundays from May." in item
    assert "changed on" in item and "2030" in item
    # The earlier words, on demand.
    assert re.search(r"<details class=\"versions\"><summary>1 earlier version</summary>", item)
    assert "Saturday mornings from June." in item
    actions = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action.like("response.%"))
    ).all()
    assert actions == ["response.create", "response.update"]


def test_children_hear_the_newest_answer_only(session, world, make):
    partner, facilitator = world.partner, world.facilitator
    response = services.respond(
        session, partner, world.item, status=ResponseStatus.PARTLY, what="Mornings.", by_when=None
    )
    services.approve_for_children(session, facilitator, response, {"en": "Mornings, soon."})
    assert queries.responses_for_children(session, world.board) == [response]
    services.change_response(
        session, partner, response, status=ResponseStatus.DECLINED, what="Not now.", by_when=None
    )
    # The old wording is not shown as if it were the current answer.
    assert not response.approved_for_children
    assert queries.responses_for_children(session, world.board) == []
    services.approve_for_children(session, facilitator, response, {"en": "Not this year."})
    shown = queries.responses_for_children(session, world.board)
    assert shown == [response] and shown[0].child_texts == {"en": "Not this year."}
    assert shown[0].status is ResponseStatus.DECLINED
    services.withdraw_response(session, partner, response)
    assert queries.responses_for_children(session, world.board) == []


def test_a_child_reads_the_newest_answer_at_the_next_meeting(
    app, client, auth, session, make, world
):
    auth.as_user(world.partner)
    _answer(client, world)
    response = _response(session)
    auth.as_user(world.facilitator)
    client.post(f"/responses/{response.id}/children", data={"text-en": "Mornings, from June."})
    auth.as_user(world.partner)
    _edit(client, response, what="Every Saturday from May.")
    auth.as_user(world.facilitator)
    page = client.get(f"/responses/{response.id}/children").get_data(as_text=True)
    assert "Children do not see it until you approve its wording again." in page
    client.post(f"/responses/{response.id}/children", data={"text-en": "Every Saturday, from May."})
    meeting = make.meeting(world.board, date(2030, 4, 13), duration_minutes=60)
    make.commit()
    tablet = app.test_client()
    tablet.post("/join", data={"code": meeting.join_code})
    tablet.post("/join/language", data={"lang": "en"})
    tablet.post("/join/welcome")
    from tests.factories import let_in

    assert let_in(tablet)
    outcomes = tablet.get("/meeting/outcomes").get_data(as_text=True)
    assert "Every Saturday, from May." in outcomes and "Mornings, from June." not in outcomes


def test_a_withdrawn_answer_shows_as_withdrawn_and_cannot_be_changed(client, auth, session, world):
    auth.as_user(world.partner)
    _answer(client, world)
    response = _response(session)
    assert client.post(f"/responses/{response.id}/withdraw").status_code == 302
    page = client.get(f"/summaries/{world.summary.id}").get_data(as_text=True)
    item = _item_form(page, world.item.id)
    assert "City hall: answer withdrawn" in item and "withdrawn on" in item
    assert "Answer this" in item  # the organisation may answer anew
    refused = _edit(client, response)
    assert refused.status_code == 400
    assert "This answer was withdrawn and cannot be changed. Write a new answer instead." in (
        refused.get_data(as_text=True)
    )
    assert _response(session).what == "Saturday mornings from June."
    assert client.post(f"/responses/{response.id}/withdraw").status_code == 400
    # The item waits for an answer again.
    assert world.item.id in [
        i.id for i, _s in queries.waiting_for(session, organisation_id=world.org.id)
    ]
    actions = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action.like("response.%"))
    ).all()
    assert actions == ["response.create", "response.withdraw"]


def test_an_empty_answer_keeps_the_reader_at_the_item(client, auth, session, world):
    auth.as_user(world.partner)
    answer = _answer(client, world, what="   ", by_when="2030-07-01")
    assert answer.status_code == 400
    item = _item_form(answer.get_data(as_text=True), world.item.id)
    assert '<details class="no-print" open>' in item
    assert re.search(
        r'<textarea id="what-\d+" name="what" rows="3" aria-describedby="what-\d+-error" '
        r'aria-invalid="true" autofocus>',
        item,
    )
    assert "Write what you will do." in item
    # The form posts to the item's anchor: the page sent back opens there.
    assert f'action="/summary-items/{world.item.id}/respond#item-{world.item.id}"' in item
    assert 'value="2030-07-01"' in item and '<option value="partly" selected>' in item
    assert session.scalar(sa.select(sa.func.count(Response.id))) == 0


@pytest.mark.parametrize("by_when", ["2030-04-02", "2030-03-15"])
def test_by_when_must_come_after_the_publication(client, auth, session, world, by_when):
    auth.as_user(world.partner)
    answer = _answer(client, world, what="We will try.", by_when=by_when)
    assert answer.status_code == 400
    item = _item_form(answer.get_data(as_text=True), world.item.id)
    assert "Choose a day after the summary was published (" in item
    assert "We will try." in item and f'value="{by_when}"' in item
    assert session.scalar(sa.select(sa.func.count(Response.id))) == 0
    assert _answer(client, world, by_when="2030-04-03").status_code == 302


def test_an_edit_with_bad_input_keeps_what_was_typed(client, auth, session, world):
    auth.as_user(world.partner)
    _answer(client, world)
    response = _response(session)
    refused = _edit(client, response, what="Changed my mind.", by_when="2030-01-01")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert f'id="what-r{response.id}"' in page and "Changed my mind." in page
    assert "Choose a day after the summary was published" in page
    refused = _edit(client, response, what="")
    assert refused.status_code == 400 and "Write what you will do." in refused.get_data(
        as_text=True
    )
    assert _response(session).what == "Saturday mornings from June." and not response.versions


def test_one_live_answer_per_organisation(client, auth, session, world):
    auth.as_user(world.partner)
    _answer(client, world)
    page = client.get(f"/summaries/{world.summary.id}").get_data(as_text=True)
    assert "Answer this" not in _item_form(page, world.item.id)
    again = _answer(client, world, what="A second answer")
    assert again.status_code == 400
    assert "Your organisation has answered this already" in again.get_data(as_text=True)


def test_only_the_answering_organisation_changes_its_answer(client, auth, session, make, world):
    auth.as_user(world.partner)
    _answer(client, world)
    response = _response(session)
    # A second recipient of the same summary may answer, not change City hall's answer.
    other = make.organisation(name="Health office")
    world.summary.recipients.append(other)
    stranger = make.user(Role.PARTNER, organisation=other)
    make.commit()
    assert not can_change_response(stranger, response)
    assert can_change_response(world.people["colleague"], response)
    assert not can_change_response(world.facilitator, response)
    for who in (stranger, world.facilitator, world.people["late"]):
        auth.as_user(who)
        assert _edit(client, response).status_code == 403
        assert client.post(f"/responses/{response.id}/withdraw").status_code == 403
    assert _response(session).what == "Saturday mornings from June."


def test_the_waiting_list_links_to_each_item(client, auth, session, world):
    auth.as_user(world.partner)
    page = client.get("/answers/waiting").get_data(as_text=True)
    link = f'href="/summaries/{world.summary.id}#item-{world.item.id}"'
    assert f"{link}>Recommendation: Open the clinic on Saturdays</a>" in page
    # Answered, it leaves the list; withdrawn, it comes back.
    _answer(client, world)
    assert link not in client.get("/answers/waiting").get_data(as_text=True)
    client.post(f"/responses/{_response(session).id}/withdraw")
    assert link in client.get("/answers/waiting").get_data(as_text=True)


def test_a_day_after_publication_counts_in_the_board_s_zone(app, session, world):
    """Published at 23:30 UTC on 1 April, already 2 April in Tirana: 2 April is not after
    the publication, 3 April is."""
    world.summary.published_at = datetime(2030, 4, 1, 23, 30, tzinfo=UTC)

    def answer(by_when):
        services.respond(
            session,
            world.partner,
            world.item,
            status=ResponseStatus.ACCEPTED,
            what="Yes.",
            by_when=by_when,
        )

    with app.test_request_context(), pytest.raises(services.SummaryError) as refused:
        answer(date(2030, 4, 2))
    assert refused.value.field == "by_when"
    with app.test_request_context():
        answer(date(2030, 4, 3))
    assert session.scalar(sa.select(Response.by_when)) == date(2030, 4, 3)
