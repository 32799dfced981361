"""What a tablet keeps while the network is down, sent later through /meeting/queue: sealed
so that only the server opens it, taken exactly once, while the meeting takes answers and
for the board's grace period after it, whoever's cookie is on the tablet by then.

The service worker's part (IndexedDB, WebCrypto, the offline page) is driven in Chromium by
tests/browser/test_offline.py; here the envelope is sealed the same way in Python
(``offline.seal_envelope``), as the worker does it in the browser."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board.actions.models import Action
from board.db import utcnow
from board.feedback.models import Feedback
from board.meetings.models import HelpCall, Meeting
from board.participate import offline
from board.room import services as room
from tests.conftest import FIXED_NOW
from tests.factories import join


def _form(client, path: str) -> list[list[str]]:
    """The form on the page at ``path``, as the tablet would send it (without the CSRF
    token, which the worker leaves out)."""
    page = client.get(path).get_data(as_text=True)
    onces = re.findall(r'name="once" type="hidden" value="([^"]+)"', page)
    fields = [["once", value] for value in onces]
    passes = re.findall(r'name="pass" value="([^"]*)"', page)
    return fields, page, passes


def _answer_form(client, service_id: int, **answer) -> tuple[str, list[list[str]]]:
    path = f"/meeting/services/{service_id}"
    fields, page, passes = _form(client, path)
    # The page's own form's pass is the last one (the help and finish buttons come first).
    fields.append(["pass", passes[-1]])
    fields += [[name, str(value)] for name, value in answer.items()]
    return path, fields


def _bar_form(client, path: str) -> list[list[str]]:
    """The help or finish button's form, taken from the meeting's home."""
    page = client.get("/meeting").get_data(as_text=True)
    form = page[page.index(f'action="{path}"') :]
    return [["pass", re.search(r'name="pass" value="([^"]*)"', form).group(1)]]


def _sealed(app, path, fields, envelope_id=None):
    with app.test_request_context():
        return offline.seal_envelope(
            {"id": envelope_id or secrets.token_hex(16), "path": path, "fields": fields}
        )


def _post(client, envelope, **more):
    return client.post("/meeting/queue", json={"envelope": envelope, **more})


@pytest.fixture
def clinic(meeting):
    return meeting.board.services[0]


def _answers(session, meeting) -> list[Feedback]:
    session.expire_all()
    return list(session.scalars(sa.select(Feedback).where(Feedback.meeting_id == meeting.id)))


def test_an_answer_kept_offline_arrives_once(app, tablet_client, session, meeting, clinic):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=4, happened="The nurse was kind")
    envelope = _sealed(app, path, fields)
    first = _post(tablet_client, envelope)
    assert first.status_code == 200 and first.json["status"] == "stored"
    again = _post(tablet_client, envelope)  # its reply was lost: the tablet sends it again
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    # The same form sealed anew (another envelope): the form's once-token still holds.
    assert _post(tablet_client, _sealed(app, path, fields)).json["status"] == "duplicate"
    answers = _answers(session, meeting)
    assert [(a.rating, a.happened) for a in answers] == [(4, "The nurse was kind")]
    # The child is still on the tablet: it shows in what they gave, to take back.
    assert "The nurse was kind" in tablet_client.get("/meeting/mine").get_data(as_text=True)


def test_it_arrives_after_the_child_finished_and_the_next_one_joined(
    app, tablet_client, session, meeting, clinic
):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=2, better="More time")
    envelope = _sealed(app, path, fields)
    tablet_client.post("/finish")
    join(tablet_client, meeting)  # the next child, on the same tablet
    assert _post(tablet_client, envelope).json["status"] == "stored"
    assert [a.better for a in _answers(session, meeting)] == ["More time"]
    # Nothing of it reaches the next child's session.
    mine = tablet_client.get("/meeting/mine").get_data(as_text=True)
    assert "More time" not in mine
    # And the next child may still answer about the same service.
    path, fields = _answer_form(tablet_client, clinic.id, rating=5)
    assert tablet_client.post(path, data=dict(fields)).status_code == 302
    assert len(_answers(session, meeting)) == 2


def test_an_answer_older_than_its_csrf_token_is_taken(app, tablet_client, session, meeting, clinic):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=3)
    envelope = _sealed(app, path, fields)
    later = app.config["WTF_CSRF_TIME_LIMIT"] + 3600
    with time_machine.travel(timedelta(seconds=later)):
        assert _post(tablet_client, envelope).json["status"] == "stored"
        assert _post(tablet_client, envelope).json["status"] == "duplicate"
    assert len(_answers(session, meeting)) == 1


def test_after_the_meeting_closed_within_the_grace_period(
    app, tablet_client, session, make, meeting, clinic
):
    meeting.board.offline_grace_minutes = 30
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=5)
    late = _sealed(app, path, fields)
    other = make.service(meeting.board, name="Shelter")
    session.commit()
    path, fields = _answer_form(tablet_client, other.id, rating=1)
    too_late = _sealed(app, path, fields)
    room.close_meeting(session, None, meeting)
    session.commit()
    with time_machine.travel(timedelta(minutes=29)):
        taken = _post(tablet_client, late)
    assert taken.json["status"] == "stored"
    answers = _answers(session, meeting)
    assert [a.rating for a in answers] == [5]  # counted in that meeting
    with time_machine.travel(timedelta(minutes=31)):
        refused = _post(tablet_client, too_late)
    assert refused.status_code == 410 and refused.json["status"] == "refused"
    assert [a.rating for a in _answers(session, meeting)] == [5]


def test_a_form_older_than_a_pass_is_refused(app, tablet_client, session, meeting, clinic):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=5)
    envelope = _sealed(app, path, fields)
    with time_machine.travel(timedelta(seconds=offline.PASS_SECONDS + 60)):
        response = _post(tablet_client, envelope)
    assert response.status_code == 400
    assert _answers(session, meeting) == []


def test_an_idea_a_vote_and_a_help_call_arrive_once(app, tablet_client, session, make, meeting):
    join(tablet_client, meeting)
    fields, page, passes = _form(tablet_client, "/meeting/propose")
    fields += [["pass", passes[-1]], ["title", "A football pitch"], ["description", ""]]
    idea = _sealed(app, "/meeting/propose", fields)
    assert _post(tablet_client, idea).json["status"] == "stored"
    assert _post(tablet_client, idea).json["status"] == "duplicate"
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Action)) == 1

    help_call = _sealed(app, "/help", _bar_form(tablet_client, "/help"))
    assert _post(tablet_client, help_call).json["status"] == "stored"
    assert _post(tablet_client, help_call).json["status"] == "duplicate"
    session.expire_all()
    calls = session.scalars(sa.select(HelpCall).where(HelpCall.meeting_id == meeting.id)).all()
    assert len(calls) == 1


def test_a_vote_kept_offline_counts_once(app, tablet_client, session, make, auth, meeting):
    from board.voting import services as voting
    from board.voting.queries import count_votes

    ideas = make.actions(meeting.board, "A pitch", "A library")
    ballot = make.ballot(meeting, ideas)
    session.commit()
    join(tablet_client, meeting)
    fields, page, passes = _form(tablet_client, "/meeting/vote")
    fields = [["pass", passes[-1]], [f"a{ideas[0].id}", "1"]]
    vote = _sealed(app, "/meeting/vote", fields)
    assert _post(tablet_client, vote).json["status"] == "stored"
    assert _post(tablet_client, vote).json["status"] == "duplicate"
    assert _post(tablet_client, _sealed(app, "/meeting/vote", fields)).json["status"] == "duplicate"
    with app.app_context():
        assert voting.has_voted(session, meeting, ballot, _token(tablet_client))
        assert count_votes(session, ballot) == 1


def _token(client) -> str:
    with client.session_transaction() as cookie:
        return cookie["tablet"]["token"]


def test_a_pass_is_good_for_its_own_form_only(app, tablet_client, session, meeting, clinic):
    """A tablet still at the door has a help button (and its pass): that pass does not
    carry an answer past the door."""
    join(tablet_client, meeting, admit=False)
    page = tablet_client.get("/join/wait").get_data(as_text=True)
    help_pass = re.search(r'name="pass" value="([^"]+)"', page).group(1)
    fields = [["pass", help_pass], ["rating", "5"], ["once", "x"]]
    response = _post(tablet_client, _sealed(app, f"/meeting/services/{clinic.id}", fields))
    assert response.status_code == 400 and _answers(session, meeting) == []


@pytest.mark.parametrize(
    "envelope",
    ["", "not base64!", "A" * 200, None, 5],
)
def test_what_the_server_did_not_seal_is_refused(tablet_client, meeting, envelope):
    response = tablet_client.post("/meeting/queue", json={"envelope": envelope})
    assert response.status_code == 400 and response.json["status"] == "refused"


def test_a_tampered_envelope_is_refused(app, tablet_client, session, meeting, clinic):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=4)
    envelope = _sealed(app, path, fields)
    flipped = envelope[:-5] + ("A" if envelope[-5] != "A" else "B") + envelope[-4:]
    assert _post(tablet_client, flipped).status_code == 400
    # Sealed to another server's key: this one cannot open it.
    with app.test_request_context():
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        other = ec.generate_private_key(ec.SECP256R1()).public_key()
        point = other.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        foreign = offline.seal_envelope({"id": "x", "path": path, "fields": fields}, point)
    assert _post(tablet_client, foreign).status_code == 400
    assert tablet_client.post("/meeting/queue", data="{").status_code == 400
    assert _answers(session, meeting) == []


def test_another_site_cannot_send_to_the_queue(app, tablet_client, meeting, clinic):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=4)
    response = tablet_client.post(
        "/meeting/queue",
        json={"envelope": _sealed(app, path, fields)},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403


def test_the_room_counts_the_tablets_holding_answers(
    app, tablet_client, session, make, meeting, clinic
):
    from board.auth.models import Role
    from tests.conftest import AuthActions
    from tests.factories import tablet

    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=4)
    envelope = _sealed(app, path, fields)
    other = join(tablet(app), meeting)
    path, fields = _answer_form(other, clinic.id, rating=2)
    others = _sealed(app, path, fields)
    facilitator = make.user(Role.FACILITATOR, meeting.board)
    session.commit()
    staff = app.test_client()
    AuthActions(staff).as_user(facilitator)
    live = f"/meetings/{meeting.id}/live.json"
    assert staff.get(live).json["waiting"] == 0
    assert _post(tablet_client, envelope, ping=True, left=3).json["status"] == "noted"
    assert staff.get(live).json["waiting"] == 1
    # The same tablet's pass, sent again and again from anywhere: still one tablet.
    for _ in range(5):
        assert _post(app.test_client(), envelope, ping=True, left=1).status_code == 200
    assert staff.get(live).json["waiting"] == 1
    assert _post(other, others, ping=True, left=1).status_code == 200
    assert staff.get(live).json["waiting"] == 2
    # The facilitator's own page says so; the projected room screen does not.
    page = staff.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Tablets holding answers not sent yet" in page
    screen = staff.get(f"/meetings/{meeting.id}/room").get_data(as_text=True)
    assert "Tablets holding answers not sent yet" not in screen
    _post(tablet_client, envelope, left=0)  # its last one: all sent
    assert staff.get(live).json["waiting"] == 1
    with time_machine.travel(timedelta(seconds=offline.WAITING_SECONDS + 5)):
        assert staff.get(live).json["waiting"] == 0  # the other went quiet


def test_a_tablet_at_the_door_is_not_counted(app, tablet_client, session, make, meeting):
    """Only sessions let in count: a help button's pass from the door page cannot make the
    room screen show tablets that are not there."""
    join(tablet_client, meeting, admit=False)
    page = tablet_client.get("/join/wait").get_data(as_text=True)
    help_pass = re.search(r'name="pass" value="([^"]+)"', page).group(1)
    envelope = _sealed(app, "/help", [["pass", help_pass]])
    assert _post(tablet_client, envelope, ping=True, left=50).status_code == 200
    with app.test_request_context():
        assert offline.waiting_tablets(session.get(Meeting, meeting.id)) == 0


@pytest.mark.parametrize(
    "body",
    [
        '{"envelope": "x", "left": Infinity}',
        '{"envelope": "x", "left": 1e999}',
        "[" * 100_000 + "]" * 100_000,
        '{"envelope": ' + "[" * 50_000 + "]" * 50_000 + "}",
    ],
)
def test_malformed_json_is_refused_not_a_500(tablet_client, meeting, body):
    response = tablet_client.post(
        "/meeting/queue", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_infinity_beside_a_good_envelope_is_no_500(app, tablet_client, meeting, clinic):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=4)
    envelope = _sealed(app, path, fields)
    body = '{"envelope": "' + envelope + '", "left": Infinity, "ping": true}'
    response = tablet_client.post(
        "/meeting/queue", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200


def test_deep_json_sealed_in_an_envelope_is_refused(app, tablet_client, meeting):
    with app.test_request_context():
        point = None
        deep = "[" * 50_000 + "]" * 50_000
        import base64
        import os

        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        point = base64.urlsafe_b64decode(offline.public_key() + "==")
        server = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        mine = ec.generate_private_key(ec.SECP256R1())
        my_point = mine.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        iv = os.urandom(offline.IV_BYTES)
        sealed = offline._aead(mine.exchange(ec.ECDH(), server), my_point).encrypt(
            iv, deep.encode(), offline.QUEUE_ASSOCIATED
        )
        envelope = base64.urlsafe_b64encode(my_point + iv + sealed).rstrip(b"=").decode()
    assert _post(tablet_client, envelope).status_code == 400


def test_i_am_finished_kept_offline_ends_the_session(app, tablet_client, meeting):
    join(tablet_client, meeting)
    finish = _sealed(app, "/finish", _bar_form(tablet_client, "/finish"))
    assert tablet_client.get("/meeting").status_code == 200
    assert _post(app.test_client(), finish).json["status"] == "stored"  # from any cookie
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


def test_the_idle_reset_sends_a_started_answer(tablet_client, session, meeting, clinic):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, happened="Half written")
    data = dict(fields) | {"finish": "1"}
    response = tablet_client.post(path, data=data)
    assert response.headers["Location"] == f"/join?code={meeting.join_code}&done=1&sent=1"
    page = tablet_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The answer you started was sent." in page
    assert [a.happened for a in _answers(session, meeting)] == ["Half written"]
    assert tablet_client.get("/meeting").headers["Location"] == "/join"  # the session ended


def test_the_idle_reset_of_a_form_already_taken_still_ends_the_session(
    tablet_client, session, meeting, clinic
):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=3)
    tablet_client.post(path, data=dict(fields))  # sent; its reply lost, the page still shown
    response = tablet_client.post(path, data=dict(fields) | {"finish": "1"})
    assert response.headers["Location"] == f"/join?code={meeting.join_code}&done=1"
    assert tablet_client.get("/meeting").headers["Location"] == "/join"
    assert len(_answers(session, meeting)) == 1


def test_a_child_who_writes_long_is_not_sent_away(tablet_client, session, meeting, clinic):
    """The page tells the server while the child types (/meeting/here), so "Send" after a
    long time writing is taken; and the idle reset's answer may come a little after the
    idle time, as the page's timer counts from the last touch."""
    join(tablet_client, meeting)
    idle = meeting.board.idle_seconds
    path, fields = _answer_form(tablet_client, clinic.id, happened="a long story")
    for step in range(1, 6):  # ten minutes of writing, the page saying so every 30 s or so
        with time_machine.travel(timedelta(seconds=step * (idle - 20))):
            assert tablet_client.get("/meeting/here").status_code == 204
    with time_machine.travel(timedelta(seconds=5 * (idle - 20) + idle + 30)):
        response = tablet_client.post(path, data=dict(fields) | {"finish": "1"})
    assert response.headers["Location"].endswith("&done=1&sent=1")
    assert [a.happened for a in _answers(session, meeting)] == ["a long story"]


def test_without_the_finish_flag_the_idle_time_holds(tablet_client, session, meeting, clinic):
    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=3)
    with time_machine.travel(timedelta(seconds=meeting.board.idle_seconds + 30)):
        response = tablet_client.post(path, data=dict(fields))
    assert response.headers["Location"] == f"/join?code={meeting.join_code}"
    assert _answers(session, meeting) == []


def test_an_answer_sent_late_counts_on_the_day_the_meeting_closed(
    app, tablet_client, session, meeting, clinic
):
    """Not the day it arrived: late in the evening, the grace period runs past midnight."""
    from board.meetings.services import in_board_zone

    join(tablet_client, meeting)
    path, fields = _answer_form(tablet_client, clinic.id, rating=5)
    envelope = _sealed(app, path, fields)
    board = meeting.board
    board.offline_grace_minutes = 12 * 60
    evening = FIXED_NOW.replace(hour=20, minute=0)  # the same day, whatever the suite's pace
    with time_machine.travel(evening, tick=False):
        room.close_meeting(session, None, meeting)
        session.commit()
        closed = in_board_zone(board, utcnow()).date()
    with time_machine.travel(evening + timedelta(hours=3, minutes=30), tick=False):
        assert in_board_zone(board, utcnow()).date() != closed  # past midnight
        assert _post(tablet_client, envelope).json["status"] == "stored"
    assert [a.day for a in _answers(session, meeting)] == [closed]


def test_the_idle_reset_with_a_form_that_cannot_go_sends_nothing(tablet_client, session, meeting):
    join(tablet_client, meeting)
    fields, page, passes = _form(tablet_client, "/meeting/propose")
    data = dict(fields) | {"title": "", "description": "no title yet", "finish": "1"}
    response = tablet_client.post("/meeting/propose", data=data)
    assert response.headers["Location"] == f"/join?code={meeting.join_code}&done=1"
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0
    assert tablet_client.get("/meeting").headers["Location"] == "/join"


@pytest.mark.parametrize("lang", ["en", "sq", "bg", "pl", "ro", "sr_Latn", "ar", "rom"])
def test_the_offline_page_in_every_language(tablet_client, lang):
    response = tablet_client.get(f"/join/offline/{lang}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "data-offline-page" in page
    assert 'name="csrf_token" value=""' in page  # nothing of a session in what is kept
    assert response.headers.get("Set-Cookie") is None
    if lang != "en":
        assert "We are waiting for the internet." not in page  # translated
    assert tablet_client.get("/join/offline/xx").status_code == 404


def test_the_service_worker_keeps_the_look_of_the_pages_only(app, tablet_client):
    response = tablet_client.get("/sw.js")
    script = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"
    with app.test_request_context():
        assert offline.public_key() in script
    shell = re.search(r"const SHELL = (\[.*?\]);", script).group(1)
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="board.css") in shell  # the hashed, immutable name
    assert "faces/" in shell and "pictograms/" in shell
    assert "/meeting" not in shell and "/api" not in shell  # no page made from the database


def test_the_grace_period_is_a_board_setting(session, meeting):
    meeting.board.offline_grace_minutes = 721
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()
    session.rollback()
    assert session.get(Meeting, meeting.id).board.offline_grace_minutes == 60
