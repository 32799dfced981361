"""Seeding the demo network (board.demo.data) through the services, as its people would.

The network itself (organisations, boards, their services, accounts) is set up as an
administrator's configuration. Everything after it is played through the same services the
pages call: each past month is replayed at its own date (``board.db.as_of``): the facilitator
opens the meeting, the children's tablets are let in, each answers and votes, the vote
goes through the ballot box in batches of k, the meeting is closed, the texts are moderated
the next day, the month's summary is published and a partner answers it. So the feedback,
the ballots, the tallies and the audit log hold what the application itself would have
written, and nothing the application could not.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from board import disclosure
from board.actions import services as actions
from board.actions.models import Action, ActionStatus, Proposer
from board.auth.models import Role, User
from board.auth.services import assign_role, set_password
from board.boards.models import Board, Organisation, OrganisationKind, Service, ServiceCategory
from board.db import as_of, utcnow
from board.demo import data, words
from board.feedback.models import Feedback
from board.feedback.services import give_feedback
from board.meetings import services as meetings
from board.meetings.models import Meeting, MeetingState
from board.moderation import services as moderation
from board.room import services as room
from board.summaries import queries as summary_queries
from board.summaries import services as summaries
from board.summaries.findings import FindingDraft
from board.summaries.models import ItemKind, ResponseStatus, Summary, SummaryItem, month_span
from board.voting import services as voting
from board.voting.models import Ballot, BallotMethod


def seed(session: Session) -> bool | None:
    """Seed the demo; True when seeded now, False when present, None when other data exists.

    Needs an application context: votes go through the app's ballot box."""
    if session.scalar(sa.select(Organisation).where(Organisation.name == data.NETWORK)):
        return False
    if session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        return None
    _Play(session).run()
    return True


@dataclass
class _Staff:
    board: Board
    facilitator: User


@dataclass
class _Child:
    """What one child does on a tablet: answers (agenda position, rating, happened, better),
    a ballot (action id -> points), ideas."""

    answers: list[tuple[int, int, str | None, str | None]] = field(default_factory=list)
    points: dict[int, int] | None = None
    ideas: list[str] = field(default_factory=list)


@dataclass
class _Held:
    """What a replayed meeting left for the days after it: texts to approve, ideas to
    shortlist, the answer to raise a concern on."""

    meeting: Meeting
    texts: list[int] = field(default_factory=list)
    ideas: list[int] = field(default_factory=list)
    concern: int | None = None


class _Play:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.rng = random.Random(2026)  # noqa: S311 (demo figures, not security)  # nosec B311
        self.now = utcnow()
        today = self.now.date()
        self.start = (today.replace(day=1) - timedelta(days=data.SERIES_DAYS_BACK)).replace(day=1)
        self.until = today + timedelta(days=data.SERIES_DAYS_AHEAD)

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Replay at ``moment``, never later than now. The block's rows are flushed inside
        it, so that their defaults (the audit log's time) are read from its clock."""
        with as_of(min(moment, self.now)):
            yield
            self.session.flush()

    def run(self) -> None:
        with self.at(datetime.combine(self.start, time(8), UTC)):
            staff = self.network()
        for slug, one in staff.items():
            self.board(slug, one)
        self.session.flush()

    # The network: configuration, as an administrator sets it up ------------------------

    def account(self, email: str, name: str, org: Organisation) -> User:
        user = User(email=email, name=name, organisation=org, locale=None)
        self.session.add(user)
        self.session.flush()
        set_password(self.session, user, data.DEMO_PASSWORD)
        return user

    def network(self) -> dict[str, _Staff]:
        session = self.session
        network = Organisation(name=data.NETWORK, kind=OrganisationKind.NGO)
        session.add(network)
        admin = self.account(data.ADMIN_EMAIL, data.ADMIN_NAME, network)
        assign_role(session, None, admin, Role.ADMINISTRATOR, audit=False)
        staff: dict[str, _Staff] = {}
        for slug, city, country, zone, languages, ngo_name, services in data.BOARDS:
            ngo = Organisation(name=ngo_name, kind=OrganisationKind.NGO, country=country)
            board = Board(
                name=data.board_name(city),
                city=city,
                country=country,
                timezone=zone,
                languages=languages,
                helpline=data.HELPLINE,
                organisation=ngo,
            )
            board.services = [
                Service(
                    name=n,
                    category=c,
                    names=words.in_languages(n, words.SERVICE_NAMES, languages.split()),
                )
                for n, c in services
            ]
            session.add_all([ngo, board])
            facilitator = self.account(data.facilitator_email(slug), f"Facilitator {city}", ngo)
            lead = self.account(data.lead_email(slug), f"Safeguarding lead {city}", ngo)
            assign_role(session, None, facilitator, Role.FACILITATOR, board, audit=False)
            assign_role(session, None, lead, Role.SAFEGUARDING_LEAD, board, audit=False)
            staff[slug] = _Staff(board, facilitator)
        boards = [one.board for one in staff.values()]
        for name, kind, where, links, account in data.PARTNERS:
            org = Organisation(name=name, kind=kind, country=where)
            org.partner_of = boards if links == ["*"] else [staff[s].board for s in links]
            session.add(org)
            partner = self.account(data.partner_email(account), f"Partner ({name})", org)
            assign_role(session, None, partner, Role.PARTNER, audit=False)
        session.flush()
        return staff

    # A board's months ------------------------------------------------------------------

    def board(self, slug: str, staff: _Staff) -> None:
        session, board, facilitator = self.session, staff.board, staff.facilitator
        with self.at(datetime.combine(self.start, time(9), UTC)):
            series = meetings.schedule_series(
                session,
                facilitator,
                board,
                rule=data.SERIES_RULE,
                start=self.start,
                until=self.until,
                at=data.SERIES_AT,
                duration_minutes=data.SERIES_MINUTES,
                place=data.PLACE.format(city=board.city),
                services=board.services[: data.AGENDA],
            )
        held = [m for m in meetings.series_meetings(session, series) if m.starts_at < self.now]
        titles = [a[0] for a in data.ACTIONS if a[2] is Proposer.CHILD]
        # A month is published a few days after it is over, unless texts of it still wait
        # for moderation (the last held meeting's do): that one stays a draft. The newest
        # published month carries the narrative and the partner's answers.
        published = [m for m in held[:-1] if self.publishing(board, m) <= self.now]
        featured = published[-1] if published else None
        agenda: list[Action] = []
        for position, meeting in enumerate(held):
            first, last = position == 0, position == len(held) - 1
            vote = agenda[data.HELD_VOTE] if last else []
            played = self.hold(
                meeting,
                facilitator,
                vote=vote,
                ideas=titles if first else [],
                waiting=last,
                concern=last and slug == data.CONCERN_BOARD,
            )
            with self.at(meeting.starts_at + timedelta(days=data.MODERATED_AFTER_DAYS)):
                self.moderate(facilitator, played)
                if first:
                    agenda = self.shortlist(board, facilitator, played.ideas)
                if played.concern is not None:
                    item = session.get(Feedback, played.concern)
                    moderation.raise_concern(
                        session,
                        facilitator,
                        item,
                        data.CONCERN_REASON,
                        urgency=data.CONCERN_URGENCY,
                    )
                if last and vote:
                    self.outcomes(board, facilitator, agenda[data.HELD_VOTE])
            self.summarise(
                board,
                facilitator,
                meeting,
                featured=meeting is featured,
                publish=meeting in published,
            )
        if not held:
            with self.at(self.now):
                ideas = [
                    actions.propose_action(session, board, title=t, description="", language="en")
                    for t in titles
                ]
                for idea in ideas:
                    moderation.approve(session, facilitator, idea, moderation.Removals({}, {}))
                agenda = self.shortlist(board, facilitator, [idea.id for idea in ideas])
        if slug == data.OPEN_NOW:
            self.open_now(board, facilitator, agenda[data.OPEN_VOTE])

    def hold(
        self,
        meeting: Meeting,
        facilitator: User,
        *,
        vote: Sequence[Action],
        ideas: Sequence[str],
        waiting: bool,
        concern: bool,
    ) -> _Held:
        """One past meeting, replayed from its start: the room opens, children come in one by
        one, answer, vote and leave; the vote closes after an hour, the meeting after two."""
        session = self.session
        played = _Held(meeting)
        with self.at(meeting.starts_at):
            meetings.open_meeting(session, facilitator, meeting)
            ballot = None
            if vote:
                ballot = voting.open_ballot(
                    session, facilitator, meeting, list(vote), method=BallotMethod.APPROVAL
                )
            # Answers and an idea the facilitator has not read yet; a child in danger.
            unread = _Child(list(data.WAITING), ideas=[data.CHILD_IDEA]) if waiting else None
            children = self.children(meeting, vote, ideas, unread)
            danger = _Child([(0, 1, data.CONCERN_WORDS, None)]) if concern else None
            self.let_in(meeting, len(children) + bool(unread) + bool(danger))
            for child in children:
                texts, proposed = self.child(meeting, ballot, child)
                played.texts += texts
                played.ideas += proposed
            if unread is not None:
                self.child(meeting, ballot, unread)
            if danger is not None:
                played.concern = self.child(meeting, ballot, danger)[0][0]
        if ballot is not None:
            with self.at(meeting.starts_at + timedelta(minutes=data.VOTE_MINUTES)):
                voting.close_ballot(session, facilitator, ballot)
        with self.at(meeting.starts_at + timedelta(minutes=data.SERIES_MINUTES)):
            room.close_meeting(session, facilitator, meeting)
        return played

    def children(
        self,
        meeting: Meeting,
        vote: Sequence[Action],
        ideas: Sequence[str],
        also: _Child | None = None,
    ) -> list[_Child]:
        """Who came and what each said: the ratings of each agenda service spread over the
        children, a few with words; some of them vote. ``also``: a child who comes too."""
        rng = self.rng
        extra = [(position, rating) for position, rating, *_words in also.answers] if also else []
        ratings = self.showable(len(meeting.services), meeting.board.threshold_k, extra)
        count = max(rng.randint(*data.ATTENDANCE), *(len(r) for r in ratings))
        children = [_Child() for _ in range(count)]
        for position, given in enumerate(ratings):
            for child, rating in zip(rng.sample(children, len(given)), given, strict=True):
                words = rng.choice(data.APPROVED_TEXTS) if rng.random() < data.TEXT_SHARE else None
                happened, better = words or (None, None)
                child.answers.append((position, rating, happened, better))
        for child, title in zip(children, ideas, strict=False):
            child.ideas.append(title)
        if vote:
            # Approval: each option ticked by a share of the voters, the last by the fewest
            # (data.ACTIONS says it got the fewest votes); a voter who ticked none ticks the
            # first.
            voters = rng.sample(children, rng.randint(data.VOTERS_AT_LEAST, count))
            ticks: list[dict[int, int]] = [{} for _ in voters]
            for action, share in zip(vote, data.APPROVAL_SHARES, strict=True):
                for ballot in rng.sample(ticks, math.floor(share * len(voters) + 0.5)):
                    ballot[action.id] = 1
            for voter, ballot in zip(voters, ticks, strict=True):
                voter.points = ballot or {vote[0].id: 1}
        return children

    def showable(self, services: int, k: int, extra: list[tuple[int, int]]) -> list[list[int]]:
        """Each agenda service's ratings, drawn again (a few times at most) until the month
        is one partners can read: the board's month over all services and at least one
        service split at least into good against the rest, as disclosure control will
        decide when the summary is published."""
        for _attempt in range(30):
            drawn = [self.ratings(position) for position in range(services)]
            counts = {
                p: [given.count(r) for r in disclosure.RATINGS] for p, given in enumerate(drawn)
            }
            for position, rating in extra:
                counts[position][rating - 1] += 1
            table = disclosure.publish(counts, k)
            overall = table.overall
            if overall and overall.level.split and any(row.level.split for row in table.rows):
                break
        return drawn

    def ratings(self, position: int) -> list[int]:
        rng = self.rng
        if position >= len(data.RATINGS_PER_SERVICE):
            return []
        if position == 0:
            # A service most children agree on, in groups of at least five for each rating
            # given, so that its distribution can be published.
            return [3] * rng.choice([0, 5]) + [4] * rng.randint(5, 7) + [5] * rng.randint(5, 8)
        low, high = data.RATINGS_PER_SERVICE[position]
        mood = rng.choice([2, 3, 4])
        return [
            max(1, min(5, round(rng.gauss(mood + 0.5, 1.1)))) for _ in range(rng.randint(low, high))
        ]

    def let_in(self, meeting: Meeting, children: int) -> None:
        """The tablets the facilitator let in. In a live room each waits in the door's line,
        which lives in the ephemeral store (board.participate.admission); a replay keeps
        only what the door leaves in the database, the count. (Hundreds of tablets through
        the in-memory store at once also race its expiry timer: a KeyError in its thread.)"""
        meeting.attendance = children
        self.session.flush()

    def child(
        self, meeting: Meeting, ballot: Ballot | None, child: _Child
    ) -> tuple[list[int], list[int]]:
        """One child's tablet, let in: answers, a ballot through the ballot box, ideas.
        Returns the ids of its texts and of its ideas."""
        session = self.session
        token = secrets.token_urlsafe(32)  # the tablet session's, for the ballot box
        texts = []
        for position, rating, happened, better in child.answers:
            answer = give_feedback(
                session,
                meeting,
                meeting.services[position],
                rating=rating,
                happened=happened,
                better=better,
                language="en",
            )
            if happened or better:
                texts.append(answer)
        if ballot is not None and child.points:
            voting.cast_vote(session, meeting, ballot, token, child.points)
        ideas = [
            actions.propose_action(
                session, meeting.board, title=title, description="", language="en"
            ).id
            for title in child.ideas
        ]
        return texts, ideas

    # The days after a meeting ------------------------------------------------------------

    def moderate(self, facilitator: User, played: _Held) -> None:
        """The facilitator approves the meeting's texts and ideas (none carries a detail to
        remove); the texts that wait for moderation in the demo stay waiting."""
        for feedback_id in played.texts:
            item = self.session.get(Feedback, feedback_id)
            moderation.approve(self.session, facilitator, item, moderation.Removals({}, {}))
        for action_id in played.ideas:
            idea = self.session.get(Action, action_id)
            moderation.approve(self.session, facilitator, idea, moderation.Removals({}, {}))

    def shortlist(self, board: Board, facilitator: User, ideas: list[int]) -> list[Action]:
        """The board's actions, in the order of data.ACTIONS: the children's approved ideas
        and the adults' own, shortlisted."""
        proposed = [self.session.get_one(Action, action_id) for action_id in ideas]
        by_title = {action.title: action for action in proposed}
        agenda = []
        for title, _status, proposer, _outcome, _reason in data.ACTIONS:
            agenda.append(
                actions.save_action(
                    self.session,
                    facilitator,
                    board,
                    by_title.get(title) if proposer is Proposer.CHILD else None,
                    title=title,
                    description="",
                    language="en",
                    pictogram=ServiceCategory.DROP_IN_CENTRE
                    if proposer is Proposer.CHILD
                    else ServiceCategory.OTHER,
                    status=ActionStatus.SHORTLISTED,
                    child_texts=words.action_texts(title, "", board.language_codes),
                )
            )
        return agenda

    def outcomes(self, board: Board, facilitator: User, voted: list[Action]) -> None:
        """What came of the actions voted on at the last held meeting."""
        for action, (title, status, _proposer, outcome, reason) in zip(
            voted, data.ACTIONS[data.HELD_VOTE], strict=True
        ):
            actions.save_action(
                self.session,
                facilitator,
                board,
                action,
                title=title,
                description=action.description,
                language=action.language,
                pictogram=action.pictogram,
                status=status,
                outcome=outcome,
                outcome_reason=reason,
                child_texts=words.action_texts(title, outcome, board.language_codes),
            )

    def publishing(self, board: Board, meeting: Meeting) -> datetime:
        """When the facilitator publishes the month of ``meeting``: a few days after it is
        over (a period is published once it is over)."""
        month = meetings.in_board_zone(board, meeting.starts_at).date().replace(day=1)
        after = month_span(month)[1] + timedelta(days=data.PUBLISHED_AFTER_DAYS)
        return meetings.local_to_utc(board, after, data.SERIES_AT)

    def summarise(
        self, board: Board, facilitator: User, meeting: Meeting, *, featured: bool, publish: bool
    ) -> None:
        """The month's summary, published a few days after the month (or left a draft); the
        featured one with a narrative, recommendations and quotes, answered by a partner in
        words the children see."""
        session = self.session
        month = meetings.in_board_zone(board, meeting.starts_at).date().replace(day=1)
        moment = self.publishing(board, meeting)
        with self.at(moment):
            summary = summaries.start_summary(session, facilitator, board, month)
            # The same words said by two children are quoted once.
            quotable, said = [], set()
            for key, text, when in summary_queries.quotable(session, summary):
                if text not in said:
                    said.add(text)
                    quotable.append((key, text, when))
            quotes = [key for key, _text, _month in quotable][: data.SUMMARY_QUOTES]
            summaries.save_draft(
                session,
                facilitator,
                summary,
                narrative=data.SUMMARY_NARRATIVE if featured else "",
                recommendations=data.SUMMARY_RECOMMENDATIONS if featured else [],
                quotes=quotes if featured else [],
                findings=self.findings(meeting, quotable),
            )
            if publish:
                summaries.publish(session, facilitator, summary)
        if featured:
            answered = data.ANSWERED_AFTER_DAYS - data.PUBLISHED_AFTER_DAYS
            with self.at(moment + timedelta(days=answered)):
                self.answer(facilitator, summary, month)

    def findings(
        self, meeting: Meeting, quotable: list[tuple[str, str, date]]
    ) -> list[FindingDraft]:
        """What the facilitator found in the month (data.FINDING_*), linked to what it rests on."""
        first = meeting.services[0]
        found = [FindingDraft(data.FINDING_ON_FIRST_SERVICE.format(service=first.name), [first.id])]
        words = [key for key, text, _month in quotable if text in data.FINDING_WORDS][:2]
        if words:
            found.append(FindingDraft(data.FINDING_ON_WORDS, overall=True, quotes=words))
        return found

    def answer(self, facilitator: User, summary: Summary, month: date) -> None:
        session = self.session
        partner = session.scalars(
            sa.select(User).where(User.email == data.partner_email(data.ANSWERING_PARTNER))
        ).one()
        recommendation = next(i for i in summary.items if i.kind is ItemKind.RECOMMENDATION)
        voted = next((i for i in summary.items if i.kind is ItemKind.ACTION and i.rank == 1), None)
        answers: list[tuple[SummaryItem, tuple[ResponseStatus, str, str], date | None]]
        answers = [(recommendation, data.RECOMMENDATION_ANSWER, None)]
        found = [i for i in summary.items if i.text == data.FINDING_ON_WORDS]
        answers += [(finding, data.FINDING_ANSWER, None) for finding in found]
        if voted is not None:
            answers.append((voted, data.VOTE_ANSWER, month + timedelta(days=data.VOTE_ANSWER_DAYS)))
        for item, (status, what, for_children), when in answers:
            response = summaries.respond(
                session, partner, item, status=status, what=what, by_when=when
            )
            texts = words.in_languages(for_children, words.ANSWERS, summary.board.language_codes)
            summaries.approve_for_children(session, facilitator, response, texts)

    # Today -------------------------------------------------------------------------------

    def open_now(self, board: Board, facilitator: User, vote: list[Action]) -> None:
        """A meeting open now: the board's names to look for, a dot vote, and three children's
        answers waiting for moderation."""
        session = self.session
        meeting = meetings.schedule_meeting(
            session,
            facilitator,
            board,
            day=meetings.in_board_zone(board, utcnow()).date(),
            at=data.OPEN_AT,
            duration_minutes=data.OPEN_MINUTES,
            place=data.PLACE.format(city=board.city),
            services=board.services[: data.OPEN_AGENDA],
        )
        session.flush()
        meetings.open_meeting(session, facilitator, meeting)
        moderation.set_watch_names(session, facilitator, board, data.WATCH_NAMES)
        ballot = voting.open_ballot(
            session, facilitator, meeting, vote, method=BallotMethod.DOTS, dots=data.OPEN_DOTS
        )
        self.let_in(meeting, len(data.TODAY))
        for answer in data.TODAY:
            self.child(meeting, ballot, _Child(answers=[answer]))


def open_meetings(session: Session) -> list[Meeting]:
    return list(session.scalars(sa.select(Meeting).where(Meeting.state == MeetingState.OPEN)))


def describe(session: Session) -> str:
    """The logins, as a table for the terminal."""
    users = session.scalars(
        sa.select(User).where(User.email.in_(sorted(data.emails()))).order_by(User.id)
    )
    lines = [f"Demo logins (password for all: {data.DEMO_PASSWORD})"]
    for user in users:
        roles = ", ".join(
            a.role.value + (f" ({a.board.city})" if a.board else "") for a in user.roles
        )
        lines.append(f"  {user.email:<40} {roles}")
    for meeting in open_meetings(session):
        lines.append(
            f"Meeting open now: {meeting.board.name}, "
            f"join code {meeting.join_code} (children: /join); "
            f"its facilitator lets each tablet in at /meetings/{meeting.id}/door"
        )
    return "\n".join(lines)
