"""Which texts children read lack a wording in which of their board's languages.

The texts people write that children read (``board.wording`` picks what a child reads):

- the names of the board's active services (on the tiles, the feedback page, "what I gave");
- the actions children vote on (shortlisted, on a ballot: their title) and those on "You
  said, we did" (``board.actions.queries.outcomes_for_children``: title and outcome);
- the partners' answers approved for children (``responses_for_children``).

A text has a wording in a language when one was written for children in it, or when it was
written in that language in the first place (an action's title, in ``Action.language``).
Beside them, the interface: the catalogue messages flagged ``child`` (board.translate) that
a language's catalogue does not translate yet.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.actions.models import Action, ActionStatus
from board.actions.queries import outcomes_for_children
from board.boards.models import Board, Service
from board.i18n import DEFAULT_LANGUAGE
from board.meetings.models import Meeting
from board.states import ModerationState
from board.summaries.models import Response
from board.summaries.queries import responses_for_children
from board.translate import TRANSLATIONS, catalogue_path, child_messages
from board.wording import wordings_of


class TextKind(enum.StrEnum):
    SERVICE_NAME = "service_name"
    ACTION_TITLE = "action_title"
    ACTION_OUTCOME = "action_outcome"
    ANSWER = "answer"

    @property
    def label(self) -> str:
        return {
            TextKind.SERVICE_NAME: _l("Name of a service"),
            TextKind.ACTION_TITLE: _l("Title of an action"),
            TextKind.ACTION_OUTCOME: _l("What came of an action"),
            TextKind.ANSWER: _l("A partner's answer"),
        }[self]


@dataclass(frozen=True)
class ChildText:
    """One text children read: what it is, how staff know it (``label``, as entered), the
    languages it has a wording in, and the page where one is added (an endpoint and its
    arguments)."""

    kind: TextKind
    label: str
    worded: frozenset[str]
    endpoint: str
    args: dict = field(default_factory=dict, hash=False)

    def lacks(self, language: str) -> bool:
        return language not in self.worded


def service_text(service: Service) -> ChildText:
    return ChildText(
        TextKind.SERVICE_NAME,
        service.name,
        frozenset(wordings_of(service.names)),
        "wordings.service_names",
        {"service_id": service.id},
    )


def action_texts(action: Action) -> list[ChildText]:
    """The title, and what came of it once that is written."""
    where = {"action_id": action.id}
    found = [
        ChildText(
            TextKind.ACTION_TITLE,
            action.title,
            frozenset(wordings_of(action.child_wordings("title"), action.title, action.language)),
            "actions.action",
            where,
        )
    ]
    if action.outcome:
        found.append(
            ChildText(
                TextKind.ACTION_OUTCOME,
                action.outcome,
                frozenset(wordings_of(action.child_wordings("outcome"))),
                "actions.action",
                where,
            )
        )
    return found


def answer_text(response: Response) -> ChildText:
    return ChildText(
        TextKind.ANSWER,
        f"{response.organisation.name}: {response.what}",
        frozenset(wordings_of(response.child_texts)),
        "summaries.for_children",
        {"response_id": response.id},
    )


def actions_to_vote_on(session: Session, board: Board) -> list[Action]:
    """The board's actions children will vote on or are voting on."""
    return list(
        session.scalars(
            sa.select(Action)
            .where(
                Action.board_id == board.id,
                Action.moderation == ModerationState.APPROVED,
                Action.status.in_((ActionStatus.SHORTLISTED, ActionStatus.ON_BALLOT)),
            )
            .order_by(Action.id)
        )
    )


def board_texts(session: Session, board: Board) -> list[ChildText]:
    """Every text children of ``board`` read (see the module), in the order of its pages."""
    texts = [service_text(s) for s in board.services if s.active]
    actions = actions_to_vote_on(session, board)
    actions += [a for a in outcomes_for_children(session, board) if a not in actions]
    texts += [text for action in actions for text in action_texts(action)]
    texts += [answer_text(r) for r in responses_for_children(session, board)]
    return texts


def agenda_texts(session: Session, meeting: Meeting) -> list[ChildText]:
    """What children read first at ``meeting``: its services and the actions to vote on."""
    texts = [service_text(s) for s in meeting.services if s.active]
    return texts + [
        text
        for action in actions_to_vote_on(session, meeting.board)
        for text in action_texts(action)
    ]


def missing_by_language(
    texts: Sequence[ChildText], languages: Iterable[str]
) -> dict[str, list[ChildText]]:
    """For each language, the texts without a wording in it."""
    return {lang: [t for t in texts if t.lacks(lang)] for lang in languages}


def lacking(texts: Sequence[ChildText], languages: Sequence[str]) -> list[tuple[ChildText, list]]:
    """Each text that lacks a wording in some of ``languages``, with those languages."""
    found = [(t, [lang for lang in languages if t.lacks(lang)]) for t in texts]
    return [(text, missing) for text, missing in found if missing]


@dataclass(frozen=True)
class Coverage:
    """Of ``total`` texts children read in a language, ``worded`` have a wording in it."""

    worded: int = 0
    total: int = 0

    @property
    def share(self) -> float:
        """From 0 to 1; 1 when there is nothing to word."""
        return self.worded / self.total if self.total else 1.0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.worded + other.worded, self.total + other.total)


def coverage(session: Session, boards: Iterable[Board]) -> dict[str, Coverage]:
    """Per language, over every board offering it: how many of the texts its children read
    have a wording in that language."""
    found: dict[str, Coverage] = {}
    for board in boards:
        texts = board_texts(session, board)
        for lang in board.language_codes:
            worded = sum(1 for t in texts if not t.lacks(lang))
            found[lang] = found.get(lang, Coverage()) + Coverage(worded, len(texts))
    return found


# The interface ------------------------------------------------------------------------------


def _stamp(path: Path) -> int:
    return path.stat().st_mtime_ns if path.is_file() else 0


@lru_cache(maxsize=4)
def _child_ids(directory: str, _stamp: int) -> frozenset:
    return frozenset(child_messages(Path(directory)))


@lru_cache(maxsize=32)
def _translated(path: str, _stamp: int) -> frozenset:
    if not _stamp:
        return frozenset()  # no catalogue: nothing translated
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    return frozenset(
        m.id
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else (m.string,))
    )


def interface_gaps(language: str, directory: Path = TRANSLATIONS) -> int:
    """How many messages a child reads the catalogue of ``language`` leaves untranslated (a
    language may ship incomplete, as Romani does). Read from the catalogues once per change
    of their files."""
    if language == DEFAULT_LANGUAGE:
        return 0  # the messages are written in it
    template = directory / "messages.pot"
    ids = _child_ids(str(directory), _stamp(template))
    po = catalogue_path(directory, language)
    return len(ids - _translated(str(po), _stamp(po)))
