"""The kept rating tallies always equal a count over the answers themselves."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board.feedback import services as feedback_services
from board.feedback import tallies
from board.feedback.models import Feedback, RatingTally
from board.moderation import services as moderation

steps = st.lists(
    st.tuples(
        st.sampled_from(["give", "take_back", "concern"]),
        st.integers(0, 1),
        st.one_of(st.none(), st.integers(1, 5)),
    ),
    min_size=1,
    max_size=25,
)


def snapshot(session):
    session.expire_all()
    return sorted(
        (t.service_id, t.month, t.rating, t.count)
        for t in session.scalars(sa.select(RatingTally))
        if t.count
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps)
def test_tallies_follow_every_change(app, session, make, plan):
    session.execute(sa.delete(RatingTally))
    session.execute(sa.delete(Feedback))
    board = make.board()
    services = [make.service(board), make.service(board)]
    meeting = make.meeting(board, duration_minutes=60)
    actor = make.user()
    given_ids = []
    with app.app_context():
        for action, index, rating in plan:
            if action == "give":
                given = feedback_services.give_feedback(
                    session,
                    meeting,
                    services[index],
                    rating=rating,
                    happened="words",
                    better=None,
                    language="en",
                )
                given_ids.append(given)
            elif given_ids and action == "take_back":
                feedback_services.take_back(session, meeting, given_ids.pop(index % len(given_ids)))
            elif given_ids and action == "concern":
                item = session.get(Feedback, given_ids[index % len(given_ids)])
                if item.moderation.value != "safeguarding":
                    moderation.raise_concern(session, actor, item, "seen", urgency="today")
    session.commit()
    kept = snapshot(session)
    tallies.rebuild(session)
    session.commit()
    assert kept == snapshot(session)
