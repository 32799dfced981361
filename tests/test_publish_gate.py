"""A period is published once it is over (issue 15, item 5): refused, with every reason
named, while the period runs, a meeting of it is still scheduled or open, or a child's
text of it waits for moderation; the preview names who will receive it before the button,
and publishing asks for a confirmation. A narrative typed into the draft is never lost."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from board import i18n
from board.audit.models import AuditEntry
from board.mail import MailMessage as Mail
from board.room import services as room
from board.summaries import queries, services
from board.summaries.models import Summary, SummaryState
from tests.factories import after, compose, once_token, publish

MARCH = date(2030, 3, 1)


@pytest.fixture(autouse=True)
def april():
    """The clock on 2 April 2030: March is over (tests of other days travel again)."""
    with after(MARCH):
        yield


@pytest.fixture
def world(make):
    """City hall's March 2030 (``Factory.rated_month``): one text still waits for
    moderation."""
    return make.rated_month(make.world(languages="en sq", threshold_k=5))


def _audited(session, action: str) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def day(app, moment: date) -> str:
    """A day as the pages write it (in English)."""
    with app.test_request_context():
        return i18n.day(moment)


def _draft(client, auth, session, world) -> Summary:
    summary, saved = compose(client, auth, session, world.board, world.people)
    assert saved.status_code == 302
    return summary


def _page(client, summary) -> str:
    return client.get(f"/summaries/{summary.id}").get_data(as_text=True)


def test_a_period_that_is_not_over_is_refused_with_the_day_it_can_be(
    app, client, auth, session, make, world
):
    summary = _draft(client, auth, session, world)
    make.moderated(world.board)
    make.commit()
    with time_machine.travel(datetime(2030, 3, 31, 20, 0, tzinfo=UTC), tick=True):
        # 22:00 on 31 March in Tirana: the month still runs there.
        auth.as_user(world.facilitator)
        answer = publish(client, summary)
        assert answer.status_code == 400
        page = answer.get_data(as_text=True)
        first = day(app, date(2030, 4, 1))
        assert f"The period March 2030 is not over yet: it can be published from {first}." in page
        session.expire_all()
        assert session.get(Summary, summary.id).state is SummaryState.DRAFT
    with time_machine.travel(datetime(2030, 3, 31, 22, 30, tzinfo=UTC), tick=True):
        # 00:30 on 1 April in Tirana, still 31 March in UTC: the board's day counts.
        assert services.publish_blockers(session, summary) == []


def test_every_reason_is_named_at_once(app, client, auth, session, make, world):
    summary = _draft(client, auth, session, world)
    make.meeting(world.board, date(2030, 3, 20), open=True)
    make.meeting(world.board, date(2030, 3, 27), open=False)
    make.commit()
    answer = publish(client, summary)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    twentieth, later, ninth = (day(app, date(2030, 3, d)) for d in (20, 27, 9))
    assert f"The meeting of {twentieth}, 10:00 is still open: close it first." in page
    assert (
        f"The meeting of {later}, 10:00 is still scheduled: hold and close it, or cancel it."
        in page
    )
    assert f"1 text from the meeting of {ninth}, 10:00 still waits for moderation." in page
    session.expire_all()
    assert session.get(Summary, summary.id).state is SummaryState.DRAFT


def test_texts_waiting_for_moderation_are_counted_per_meeting(app, session, make, world):
    summary = services.start_summary(session, None, world.board, MARCH)
    ninth = day(app, date(2030, 3, 9))
    with make.app.app_context():
        assert services.publish_blockers(session, summary) == [
            f"1 text from the meeting of {ninth}, 10:00 still waits for moderation."
        ]
        with pytest.raises(services.SummaryError, match="still waits for moderation"):
            services.publish(session, None, summary)
        make.moderated(world.board)
        assert services.publish_blockers(session, summary) == []


def test_the_preview_names_the_recipients_before_the_button(client, auth, session, make, world):
    summary = _draft(client, auth, session, world)
    make.moderated(world.board)
    make.commit()
    page = _page(client, summary)
    assert "It will be sent to:" in page
    recipients = page.index("<li>City hall</li>")
    button = page.index("Publish to the partners named to the children")
    assert recipients < button
    assert "Joined later" not in page  # linked to the board after the meeting
    assert (
        "The summary goes to City hall; it cannot be changed afterwards." in page
    )  # the confirmation's label
    assert "It cannot be published yet" not in page
    assert [o.name for o in queries.recipients(session, summary)] == ["City hall"]


def test_the_preview_shows_the_reasons_instead_of_the_button(client, auth, session, world):
    summary = _draft(client, auth, session, world)
    with time_machine.travel(datetime(2030, 3, 20, 8, 0, tzinfo=UTC), tick=True):
        auth.as_user(world.facilitator)
        page = _page(client, summary)
    assert "It cannot be published yet:" in page
    assert "The period March 2030 is not over yet" in page
    assert "still waits for moderation" in page
    assert "Publish to the partners named to the children" not in page
    assert "<li>City hall</li>" in page  # who will receive it, all the same


def test_publishing_asks_for_a_confirmation(client, auth, session, make, world):
    summary = _draft(client, auth, session, world)
    make.moderated(world.board)
    make.commit()
    answer = client.post(f"/summaries/{summary.id}/publish", data={})
    assert answer.status_code == 400
    assert "Tick the box to confirm that you want to publish it." in answer.get_data(as_text=True)
    session.expire_all()
    assert session.get(Summary, summary.id).state is SummaryState.DRAFT
    preview = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert "<li>City hall</li>" in preview and "cannot be changed or taken back" in preview
    token = once_token(preview)
    forged = client.post(f"/summaries/{summary.id}/publish", data={"confirm": "y", "once": "x"})
    assert forged.status_code == 400 and "This confirmation is out of date." in forged.text
    answer = {"confirm": "y", "once": token}
    assert client.post(f"/summaries/{summary.id}/publish", data=answer).status_code == 302
    session.expire_all()
    published = session.get(Summary, summary.id)
    assert published.state is SummaryState.PUBLISHED
    assert [o.name for o in published.recipients] == ["City hall"]
    mails = session.scalar(sa.select(sa.func.count()).select_from(Mail))
    # The same answer sent again (a double click, the back button): nothing is sent again.
    again = client.post(f"/summaries/{summary.id}/publish", data=answer)
    assert again.status_code == 409
    assert "This summary is published already: it was not sent again." in again.text
    assert session.scalar(sa.select(sa.func.count()).select_from(Mail)) == mails
    assert _audited(session, "summary.publish") == 1


def test_only_the_board_s_facilitators_publish(client, auth, session, make, world):
    summary = _draft(client, auth, session, world)
    make.moderated(world.board)
    make.commit()
    for who in ("partner", "other_facilitator"):
        auth.as_user(world.people[who])
        assert publish(client, summary).status_code in (403, 404)
    session.expire_all()
    assert session.get(Summary, summary.id).state is SummaryState.DRAFT


def test_a_meeting_held_later_in_the_quarter_blocks_it(app, session, make, world):
    """A quarter waits for each of its meetings (an open one names no one yet)."""
    board = world.board
    make.moderated(board)
    quarter_meeting = make.meeting(board, date(2030, 6, 13), duration_minutes=60)
    summary = services.start_summary(session, None, board, date(2030, 4, 1), 3)
    with after(date(2030, 4, 1), 3), make.app.app_context():
        assert services.publish_blockers(session, summary) == [
            f"The meeting of {day(app, date(2030, 6, 13))}, 10:00 is still open: close it first.",
            "No partner was named to the children in this period, so nobody can receive it.",
        ]
        room.close_meeting(session, None, quarter_meeting)
        assert services.publish_blockers(session, summary) == []


def test_a_typed_narrative_survives_an_error(client, auth, session, world):
    summary = _draft(client, auth, session, world)
    typed = "<p>Children asked for " + "longer hours " * 1600 + "</p>"  # over the limit
    answer = client.post(
        f"/summaries/{summary.id}/edit",
        data={"narrative": typed, "recommendations": "Open on Sundays", "preview": "1"},
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "longer hours longer hours" in page and "Open on Sundays" in page


def test_preview_saves_what_was_typed_first(client, auth, session, world):
    summary = _draft(client, auth, session, world)
    edit = client.get(f"/summaries/{summary.id}/edit").get_data(as_text=True)
    assert 'name="preview"' in edit  # a button of the form, not a link that drops the text
    answer = client.post(
        f"/summaries/{summary.id}/edit",
        data={"narrative": "<p>Typed just now.</p>", "recommendations": "", "preview": "1"},
    )
    assert answer.status_code == 302 and answer.location.endswith(f"/summaries/{summary.id}")
    session.expire_all()
    assert session.scalar(sa.select(Summary.narrative)) == "<p>Typed just now.</p>"
    assert "Typed just now." in _page(client, summary)
