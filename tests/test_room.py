"""Issue 17, item 5: the room screen shows the children only what they may see, in every
language of the board; the facilitator's meeting page holds the controls and the help calls;
closing needs a ticked box."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import gettext

from board.audit.models import AuditEntry
from board.auth.models import Role
from board.i18n import LANGUAGES, direction, force_language, html_lang
from board.meetings import services
from board.meetings.models import Meeting, MeetingState
from board.voting.models import Ballot, BallotState
from board.voting.services import VoteError, cast_vote
from tests.factories import close_meeting, join, once_token, tablet

BOARD_LANGUAGES = ["sq", "sr_Latn", "en", "ar"]
# What no child may read on the projector, in any language (the facilitator's menu and
# controls, and everything about a help call).
STAFF_WORDS = [
    "Sign out",
    "Home",
    "Make a new code",
    "Close the meeting",
    "Let tablets in",
    "Meeting page",
    "Raise a safeguarding concern",
    "Done: I went to them",
    "Children who want to talk to an adult",
    "No call right now.",
    "Tablets holding answers not sent yet",
    "Answers about services",
]


class _Page(HTMLParser):
    """The tags of a page, the text under each element with a ``lang`` attribute, and the
    page's own text."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.blocks: list[dict] = []
        self.text: list[str] = []
        self._open: list[tuple[str, dict | None]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attrs))
        if tag in ("meta", "link", "img", "input", "br"):
            return
        block = None
        if "lang" in attrs and tag != "html":
            block = {"lang": attrs["lang"], "dir": attrs.get("dir"), "text": []}
            self.blocks.append(block)
        self._open.append((tag, block))

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        for _tag, block in self._open:
            if block is not None:
                block["text"].append(data)

    @classmethod
    def read(cls, html: str) -> _Page:
        page = cls()
        page.feed(html)
        for block in page.blocks:
            block["text"] = " ".join(" ".join(block["text"]).split())
        return page

    def has(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.tags)

    def attr(self, tag: str, name: str) -> str | None:
        return next((a.get(name) for t, a in self.tags if t == tag), None)


def said(app, code: str, message: str, **variables) -> str:
    with app.test_request_context(), force_language(code):
        return gettext(message, **variables)


@pytest.fixture
def meeting(session, make):
    board = make.board(languages=" ".join(BOARD_LANGUAGES))
    make.service(board, name="Clinic")
    meeting = make.meeting(board, services=board.services)
    session.commit()
    return meeting


@pytest.fixture
def facilitator(make, meeting, auth, client):
    user = make.user(Role.FACILITATOR, meeting.board)
    make.commit()
    auth.as_user(user)
    # The facilitator reads Polish, which the board does not offer: the room screen
    # speaks the board's languages all the same.
    with client.session_transaction() as sess:
        sess["lang"] = "pl"
    return user


def test_the_room_screen_shows_only_what_children_may_see(app, client, meeting, facilitator):
    html = client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True)
    page = _Page.read(html)
    assert not page.has("form") and not page.has("button") and not page.has("input")
    assert not page.has("nav") and not page.has("header") and not page.has("details")
    assert page.attr("html", "lang") == "sq"  # the board's main language, not the staff's
    assert page.attr("html", "dir") == "ltr"
    text = " ".join(page.text)
    for code in BOARD_LANGUAGES + ["pl"]:
        for words in STAFF_WORDS:
            assert said(app, code, words) not in text, (code, words)
    assert meeting.join_code[:3] in text and meeting.join_code[3:] in text
    assert page.attr("img", "src").endswith(f"/meetings/{meeting.id}/qr.svg")
    # One block per language of the board, in its order, each marked with its language.
    assert [b["lang"] for b in page.blocks] == [html_lang(c) for c in BOARD_LANGUAGES]
    for code, block in zip(BOARD_LANGUAGES, page.blocks, strict=True):
        assert block["dir"] == direction(code)
        for words in ("Join on a tablet", "Open this page:", "Type this code:"):
            assert said(app, code, words) in block["text"], (code, words)
        assert f"{said(app, code, 'Tablets that joined:')} 0" in block["text"]
        assert meeting.join_code in block["text"]
        assert "/join" in block["text"]
    assert page.blocks[-1]["dir"] == "rtl"  # Arabic
    assert said(app, "pl", "Join on a tablet") not in text


def test_a_help_call_never_reaches_the_room_screen(app, client, session, meeting, facilitator):
    call = services.call_for_help(session, meeting)
    session.commit()
    screen = client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True)
    own_page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    with app.test_request_context(), force_language("pl"):
        from board.i18n import clock

        time = clock(call.created_at, meeting.board.timezone)
    assert said(app, "pl", "A child asked for an adult at %(time)s", time=time) in own_page
    for code in LANGUAGES:
        assert said(app, code, "A child asked for an adult at %(time)s", time=time) not in screen
        assert said(app, code, "A child asked for an adult at %(time)s", time="") not in screen
    assert f'data-call="{call.id}"' not in screen and f"/help-calls/{call.id}/" not in screen
    # The room screen's script asks for counts without help calls; the meeting page's gets
    # them, with where its buttons post.
    counts = client.get(f"/meetings/{meeting.id}/live.json?screen=room").json
    assert "help_calls" not in counts and counts["attendance"] == 0
    calls = client.get(f"/meetings/{meeting.id}/live.json").json["help_calls"]
    assert calls == [
        {
            "id": call.id,
            "time": calls[0]["time"],
            "handled": f"/help-calls/{call.id}/handled",
            "concern": f"/help-calls/{call.id}/concern",
        }
    ]


def test_the_meeting_page_holds_the_controls(app, client, meeting, facilitator):
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    for words in (
        "Show the room screen",
        "Let tablets in",
        "Make a new code",
        "Close the meeting",
        "Children who want to talk to an adult",
        "Test the sound",
    ):
        assert said(app, "pl", words) in page, words
    assert f'href="/meetings/{meeting.id}/room"' in page
    assert f'href="/meetings/{meeting.id}/door"' in page
    assert 'id="help-call-template"' in page  # a call that arrives is added and rings
    # A new code, made here, reaches the room screen: its script reloads on a new code.
    screen = client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True)
    assert f'data-code="{meeting.join_code}"' in screen
    response = client.post(f"/meetings/{meeting.id}/code")
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    new = client.get(f"/meetings/{meeting.id}/live.json?screen=room").json["code"]
    assert new != meeting.join_code
    assert f'data-code="{new}"' in client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True)


OUT_OF_DATE = "This confirmation is out of date. Read what will happen and confirm again."


def test_closing_asks_first_and_says_what_will_happen(app, client, session, meeting, facilitator):
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="close" class="form"' in page and f'action="/meetings/{meeting.id}/close"' in page
    question = client.get(f"/meetings/{meeting.id}/close").get_data(as_text=True)
    assert said(app, "pl", "Close the meeting?") in question
    assert meeting.join_code in question  # "The code … stops working."
    for data in ({}, {"once": ""}, {"once": "made-up"}):
        response = client.post(f"/meetings/{meeting.id}/close", data=data)
        assert response.status_code == 400
        assert said(app, "pl", OUT_OF_DATE) in response.get_data(as_text=True)
        session.expire_all()
        assert session.get(Meeting, meeting.id).state is MeetingState.OPEN
    response = close_meeting(client, meeting)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    session.expire_all()
    assert session.get(Meeting, meeting.id).state is MeetingState.CLOSED


def test_a_closed_meeting_says_so_calmly_in_every_language(
    app, client, session, meeting, facilitator
):
    close_meeting(client, meeting)
    html = client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True)
    page = _Page.read(html)
    assert not page.has("form") and not page.has("button") and not page.has("img")
    assert not page.has("script")  # nothing left to count
    assert [b["lang"] for b in page.blocks] == [html_lang(c) for c in BOARD_LANGUAGES]
    for code, block in zip(BOARD_LANGUAGES, page.blocks, strict=True):
        assert block["text"] == said(app, code, "This meeting is not open")


def test_a_closed_vote_shows_its_results_in_every_language(
    app, client, session, make, meeting, facilitator
):
    actions = make.actions(meeting.board, "Idea one", "Idea two")
    make.commit()
    ids = [str(a.id) for a in actions]
    client.post(
        f"/meetings/{meeting.id}/ballot",
        data={"action_ids": ids, "method": "approval", "dots": "3"},
    )
    page = _Page.read(client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True))
    for code, block in zip(BOARD_LANGUAGES, page.blocks, strict=True):
        assert said(app, code, "The vote is open on the tablets.") in block["text"]
        assert said(app, code, "Votes so far:") not in block["text"]  # no count to chase
    assert client.get(f"/meetings/{meeting.id}/live.json").json["ballot"] == "open"
    ballot = session.scalars(sa.select(Ballot)).one()
    client.post(f"/ballots/{ballot.id}/close")
    page = _Page.read(client.get(f"/meetings/{meeting.id}/room").get_data(as_text=True))
    assert not page.has("form") and not page.has("button")
    for code, block in zip(BOARD_LANGUAGES, page.blocks, strict=True):
        assert said(app, code, "Results of the vote") in block["text"]
        assert "Idea one" in block["text"] and "Idea two" in block["text"]


def _audit(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_a_close_is_undone_within_ten_minutes_with_a_new_code_and_the_vote_closed(
    app, client, session, make, meeting, facilitator
):
    actions = make.actions(meeting.board, "Idea one", "Idea two")
    make.commit()
    old_code = meeting.join_code
    client.post(
        f"/meetings/{meeting.id}/ballot",
        data={"action_ids": [str(a.id) for a in actions], "method": "approval", "dots": "3"},
    )
    ballot = session.scalars(sa.select(Ballot)).one()
    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False) as clock:
        child = join(tablet(app), meeting)
        assert child.get("/meeting/services").status_code == 200  # in, just before the close
        question = client.get(f"/meetings/{meeting.id}/close").get_data(as_text=True)
        # Europe/Tirane (the factory's zone) is two hours ahead in June: undo until 11:10.
        vote = (
            "The vote closes now with %(num)d votes, and its results are shown. It cannot be"
            " opened again, even if you undo the close."
        )
        assert said(app, "pl", vote, num=0) in question and "11:10" in question
        token = once_token(question)
        assert client.post(f"/meetings/{meeting.id}/close", data={"once": token}).status_code == 302
        # The answer sent again closes nothing twice.
        assert client.post(f"/meetings/{meeting.id}/close", data={"once": token}).status_code == 409
        assert len(_audit(session, "meeting.close")) == 1
        clock.move_to(datetime(2026, 6, 20, 9, 1, tzinfo=UTC))
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        assert said(app, "pl", "Undo close (until %(time)s)", time="11:10") in page
        listed = client.get(f"/boards/{meeting.board_id}/meetings").get_data(as_text=True)
        assert said(app, "pl", "Undo close (until %(time)s)", time="11:10") in listed
        undo = once_token(page)
        response = client.post(f"/meetings/{meeting.id}/reopen", data={"once": undo})
        assert response.status_code == 302
        session.expire_all()
        reopened = session.get(Meeting, meeting.id)
        assert reopened.id == meeting.id and reopened.state is MeetingState.OPEN
        assert reopened.join_code not in (None, old_code)
        assert session.get(Ballot, ballot.id).state is BallotState.CLOSED
        assert len(_audit(session, "meeting.reopen")) == 1
        # The undo sent again does nothing more.
        again = client.post(f"/meetings/{meeting.id}/reopen", data={"once": undo})
        assert again.status_code == 409
        assert len(_audit(session, "meeting.reopen")) == 1
        # The vote stays closed: the control screen says so, and no new vote opens.
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        stays = "This meeting was closed and opened again: its vote stays closed."
        assert said(app, "pl", stays) in page
        client.post(
            f"/meetings/{meeting.id}/ballot",
            data={"action_ids": [str(a.id) for a in actions], "method": "approval", "dots": "3"},
        )
        assert session.scalars(sa.select(Ballot)).all() == [session.get(Ballot, ballot.id)]
        with pytest.raises(VoteError):
            cast_vote(session, reopened, session.get(Ballot, ballot.id), "a-session", {})
        # The tablet sent out at the close (not idle) stays out; it joins again with the
        # new code.
        assert child.get("/meeting/services").headers["Location"] == "/join"
        join(child, reopened)
        assert child.get("/meeting/services").status_code == 200


def test_a_close_cannot_be_undone_after_ten_minutes(app, client, session, meeting, facilitator):
    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False) as clock:
        close_meeting(client, meeting)
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        undo = once_token(page)
        clock.move_to(datetime(2026, 6, 20, 9, 10, 1, tzinfo=UTC))
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        assert "/reopen" not in page  # the button is gone
        response = client.post(f"/meetings/{meeting.id}/reopen", data={"once": undo})
        assert response.status_code == 409
        late = said(
            app,
            "pl",
            "The close can no longer be undone: that is possible for %(num)d minutes after"
            " closing.",
            num=10,
        )
        assert late in response.get_data(as_text=True)
        session.expire_all()
        assert session.get(Meeting, meeting.id).state is MeetingState.CLOSED
        assert _audit(session, "meeting.reopen") == []


CHANGED = (
    "This changed since the question was asked (someone may have acted in the meantime)."
    " Read what will happen now and confirm again."
)


def test_a_close_confirmed_before_an_undo_does_not_close_the_reopened_meeting(
    app, client, session, meeting, facilitator
):
    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False) as clock:
        first = once_token(client.get(f"/meetings/{meeting.id}/close").text)
        old_tab = once_token(client.get(f"/meetings/{meeting.id}/close").text)
        assert client.post(f"/meetings/{meeting.id}/close", data={"once": first}).status_code == 302
        clock.move_to(datetime(2026, 6, 20, 9, 1, tzinfo=UTC))
        undo = once_token(client.get(f"/meetings/{meeting.id}").text)
        assert client.post(f"/meetings/{meeting.id}/reopen", data={"once": undo}).status_code == 302
        clock.move_to(datetime(2026, 6, 20, 9, 2, tzinfo=UTC))
        # The old tab's yes was given to the meeting before the undo: asked again.
        stale = client.post(f"/meetings/{meeting.id}/close", data={"once": old_tab})
        assert stale.status_code == 400 and said(app, "pl", CHANGED) in stale.text
        session.expire_all()
        assert session.get(Meeting, meeting.id).state is MeetingState.OPEN
        assert len(_audit(session, "meeting.close")) == 1
        # The question asked again is answered.
        again = client.post(f"/meetings/{meeting.id}/close", data={"once": once_token(stale.text)})
        assert again.status_code == 302
        session.expire_all()
        assert session.get(Meeting, meeting.id).state is MeetingState.CLOSED


def test_the_undo_of_a_first_close_does_not_reopen_a_second(
    app, client, session, meeting, facilitator
):
    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False) as clock:
        close_meeting(client, meeting)
        undo = once_token(client.get(f"/meetings/{meeting.id}").text)
        old_tab = once_token(client.get(f"/meetings/{meeting.id}").text)
        assert client.post(f"/meetings/{meeting.id}/reopen", data={"once": undo}).status_code == 302
        clock.move_to(datetime(2026, 6, 20, 9, 3, tzinfo=UTC))
        close_meeting(client, meeting)
        stale = client.post(f"/meetings/{meeting.id}/reopen", data={"once": old_tab})
        assert stale.status_code == 400 and said(app, "pl", CHANGED) in stale.text
        session.expire_all()
        assert session.get(Meeting, meeting.id).state is MeetingState.CLOSED
        assert len(_audit(session, "meeting.reopen")) == 1
        # The page asks again, for this close: that undo is taken.
        fresh = once_token(stale.text)
        assert (
            client.post(f"/meetings/{meeting.id}/reopen", data={"once": fresh}).status_code == 302
        )
        session.expire_all()
        assert session.get(Meeting, meeting.id).state is MeetingState.OPEN
