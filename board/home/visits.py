"""When a staff account last saw its home page, and what the page marks "new".

A visit is the home page shown again and again (a reload, a way back from a summary)
with less than ``VISIT_GAP`` between two showings. "New" means "since the visit before
this one": so the marks stay on every reload of this visit and under the page's live
refreshes (which never count as a showing), and are gone on the next visit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from board.auth.models import User

VISIT_GAP = timedelta(hours=1)
# Someone who never saw the page is shown as new what came in over this span, not years.
FIRST_VISIT = timedelta(days=14)


def new_since(user: User, now: datetime) -> datetime:
    """Where "new" begins for this visit (without counting it as a showing)."""
    return user.home_since or now - FIRST_VISIT


def see_home(session: Session, user: User, now: datetime) -> datetime:
    """Count a showing of the home page at ``now``; returns where "new" begins. Flushes,
    never commits."""
    if user.home_seen_at is None or now - user.home_seen_at >= VISIT_GAP:
        user.home_since = user.home_seen_at or now - FIRST_VISIT
    user.home_seen_at = now
    session.flush()
    return new_since(user, now)
