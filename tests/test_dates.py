"""The month's loop on the awkward days of the calendar.

The suite runs on a fixed clock (``tests/conftest.py``); these tests travel to the days that
have broken date code before: the first day of a month (before its second Saturday: no
meeting of the month is held yet), the last day of a month and of a year, 29 February, and
both of Europe's daylight-saving days, each at a time where the UTC date and the board's
date differ or the local hour is skipped or repeated. On each, the demo network is seeded,
a child joins the meeting open now, and the facilitator composes the summary of the last
month that had a held meeting: refused while its texts wait for moderation, published once
they are moderated if the month is over (refused otherwise); a partner then reads the
newest published summary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from board.boards.models import Board
from board.demo import DEMO_PASSWORD
from board.feedback.models import Feedback
from board.meetings.models import Meeting, MeetingState
from board.states import ModerationState
from board.summaries.models import Summary, SummaryState
from tests.factories import publish

DAYS = {
    # 00:30 in Tirana on the 1st, still the 30th in UTC; the month's meeting is not held yet.
    "first-of-month-local": datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
    "first-of-month": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    "last-of-month-and-year": datetime(2026, 12, 31, 22, 30, tzinfo=UTC),
    "29-february": datetime(2028, 2, 29, 12, 0, tzinfo=UTC),
    # 03:30 local, half an hour after the clocks jumped from 02:00 to 03:00 (29 March 2026).
    "daylight-saving-starts": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    # 02:30 local happens twice on 25 October 2026; this is the first.
    "daylight-saving-ends": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
}


@pytest.mark.slow  # seeds the demo network and plays its month, on each day
@pytest.mark.parametrize("instant", DAYS.values(), ids=DAYS.keys())
def test_the_month_works_on_an_awkward_day(instant, app, runner, client, auth, session):
    with time_machine.travel(instant, tick=True):
        assert runner.invoke(args=["demo"]).exit_code == 0
        tirana = session.scalar(sa.select(Board).where(Board.city == "Tirana"))
        local_today = instant.astimezone(ZoneInfo(tirana.timezone)).date()

        open_now = session.scalar(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN))
        assert open_now is not None and open_now.board_id == tirana.id
        assert open_now.starts_at.astimezone(ZoneInfo(tirana.timezone)).date() == local_today
        joined = app.test_client().post("/join", data={"code": open_now.join_code})
        assert joined.status_code == 302 and "/join/language" in joined.location

        held = session.scalars(
            sa.select(Meeting)
            .where(Meeting.board_id == tirana.id, Meeting.state == MeetingState.CLOSED)
            .order_by(Meeting.starts_at.desc())
        ).first()
        assert held is not None and held.starts_at < instant
        month = held.starts_at.astimezone(ZoneInfo(tirana.timezone)).date().replace(day=1)

        assert auth.login("facilitator.tirana@example.org", DEMO_PASSWORD).status_code == 302
        assert client.get(f"/boards/{tirana.id}/summaries").status_code == 200
        started = client.post(f"/boards/{tirana.id}/summaries", data={"period": f"{month}/1"})
        assert started.status_code == 302, started.get_data(as_text=True)
        summary = session.scalar(
            sa.select(Summary).where(Summary.board_id == tirana.id, Summary.month == month)
        )
        # Its texts still wait for moderation (the demo's queue): the preview says so.
        refused = publish(client, summary)
        assert refused.status_code == 400
        assert "still wait for moderation" in refused.get_data(as_text=True)
        session.execute(
            sa.update(Feedback)
            .where(Feedback.moderation == ModerationState.PENDING)
            .values(moderation=ModerationState.REJECTED)
        )
        session.commit()
        # Moderated, it is published once the month is over in the board's zone.
        over = local_today >= summary.end
        assert publish(client, summary).status_code == (302 if over else 400)
        session.refresh(summary)
        assert summary.state == (SummaryState.PUBLISHED if over else SummaryState.DRAFT)
        readable = (
            summary
            if over
            else session.scalars(
                sa.select(Summary)
                .where(Summary.board_id == tirana.id, Summary.state == SummaryState.PUBLISHED)
                .order_by(Summary.month.desc())
            ).first()
        )

        # This month's summary: published only once one of its meetings is held; on the 1st
        # there is none yet, and the facilitator is told so, not shown an error page.
        this_month = local_today.replace(day=1)
        if this_month != month:
            draft = client.post(
                f"/boards/{tirana.id}/summaries", data={"period": f"{this_month}/1"}
            )
            assert draft.status_code in (302, 400)
        auth.logout()

        assert auth.login("partner.municipality@example.org", DEMO_PASSWORD).status_code == 302
        page = client.get(f"/summaries/{readable.id}")
        assert page.status_code == 200
        assert client.get("/dashboard").status_code == 200
