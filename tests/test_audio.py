"""Audio for every word a child needs (board/voice): synthesis and its cache, the audio
endpoint (only texts the server shows, never a child's), recordings by staff."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from board.audit.models import AuditEntry
from board.states import ModerationState
from board.voice import synth, texts
from board.voice.models import Recording
from board.voice.services import MAX_BYTES, sniff
from tests.conftest import require_synthesis
from tests.factories import OPUS, join, once, tablet

AUDIO = re.compile(r'data-audio="([^"]+)"')
RECORDED = re.compile(r'data-audio-rec="([^"]+)"')


@pytest.fixture
def needs_synthesis():
    require_synthesis()


@pytest.fixture
def no_synthesis(monkeypatch):
    """A machine without espeak-ng (and opusenc)."""
    monkeypatch.setattr(synth, "_program", lambda name: None)


# Synthesis and its cache -------------------------------------------------------------------


def test_synthesis_makes_a_small_opus_file_once(needs_synthesis, tmp_path):
    path = synth.synthesise(tmp_path, "sq", "Mirë se vini")
    data = path.read_bytes()
    assert data.startswith(b"OggS") and b"OpusHead" in data[:64]
    assert 500 < len(data) < 20_000  # a second or two of speech at ~20 kbit/s
    made = path.stat().st_mtime_ns
    again = synth.synthesise(tmp_path, "sq", "  Mirë   se vini ")  # the same words
    assert again == path and again.stat().st_mtime_ns == made
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    # Another voice or text, another file; the name is a hash, never the text.
    other = synth.synthesise(tmp_path, "pl", "Mirë se vini")
    assert other != path and "Mir" not in other.name


def test_romani_speaks_with_a_latin_script_voice(needs_synthesis, tmp_path):
    assert synth.voice_for("rom") == "sk"
    assert synth.synthesise(tmp_path, "rom", "Lačho dives").read_bytes().startswith(b"OggS")


def test_without_espeak_nothing_is_synthesised_and_pages_still_work(
    app, meeting, no_synthesis, tmp_path, runner
):
    assert not synth.available() and "espeak-ng" in synth.explain_missing()
    with pytest.raises(synth.SynthesisUnavailable):
        synth.synthesise(tmp_path, "en", "Vote")
    client = join(tablet(app), meeting)
    page = client.get("/meeting")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "data-audio=" not in html and "read-aloud" in html  # buttons there, hidden
    result = runner.invoke(args=["voice", "build"])
    assert result.exit_code != 0 and "espeak-ng" in result.output


def test_the_command_builds_every_child_message(app, needs_synthesis, runner, monkeypatch):
    # Three messages stand for the catalogue's 200 (a whole language takes a minute here).
    few = dict(list(texts.catalogue("sq").items())[:3])
    monkeypatch.setattr(texts, "catalogue", lambda lang: few)
    result = runner.invoke(args=["voice", "build", "--lang", "sq"])
    assert result.exit_code == 0, result.output
    assert re.search(r"sq\s+3 texts, +3 made now, +0 failed", result.output)
    folder = synth.cache_folder(app.instance_path)
    assert len(list(folder.glob("*.opus"))) == 3
    again = runner.invoke(args=["voice", "build", "--lang", "sq"])
    assert "3 texts,     0 made now" in again.output  # kept, not made again
    assert runner.invoke(args=["voice", "build", "--lang", "xx"]).exit_code != 0


# The endpoint ------------------------------------------------------------------------------


def _addresses(client, path) -> list[str]:
    return AUDIO.findall(client.get(path).get_data(as_text=True))


def test_every_address_on_a_child_page_answers_with_opus(app, meeting, needs_synthesis):
    client = join(tablet(app), meeting, lang="sq")
    service = meeting.services[0]
    for path in ("/meeting", "/meeting/services", f"/meeting/services/{service.id}"):
        found = _addresses(client, path)
        assert found, path
        for url in set(found):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["Content-Type"] == "audio/ogg; codecs=opus"
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert response.data.startswith(b"OggS")
    # The faces' words, the service's kind and its name are among them.
    page = client.get(f"/meeting/services/{service.id}").get_data(as_text=True)
    for word in ("Clinic",):
        assert re.search(r'data-audio="[^"]+">' + word, page)
    assert (
        len(
            re.findall(
                r'<label class="face"[^>]*>\s*<input[^>]*>\s*<img[^>]*>\s*'
                r"<span data-speak data-audio",
                page,
            )
        )
        == 5
    )


def test_a_romani_page_speaks_romani(app, session, meeting, needs_synthesis):
    """A Romani page's Flask-Babel locale is the board's language (CLDR has no Romani): its
    words are still spoken as Romani, at Romani addresses."""
    meeting.board.languages = "sq rom"
    session.commit()
    client = join(tablet(app), meeting, lang="rom")
    page = client.get(f"/meeting/services/{meeting.services[0].id}").get_data(as_text=True)
    address = re.search(r'data-audio="([^"]+)">But nasul<', page)  # "Very bad" in Romani
    assert address and address.group(1).startswith("/audio/rom/")
    response = client.get(address.group(1))
    assert response.status_code == 200 and response.data.startswith(b"OggS")


def test_unknown_and_forged_addresses_are_404(app, client, needs_synthesis):
    secret = app.config["SECRET_KEY"]
    assert client.get("/audio/en/AAAAAAAAAAAAAAAAAAAAAA.opus").status_code == 404
    assert client.get("/audio/en/short.opus").status_code == 404
    assert client.get(f"/audio/xx/{texts.key_for(secret, 'xx', 'Vote')}.opus").status_code == 404
    # A text the server never shows, keyed with another secret or with the right one.
    assert client.get(f"/audio/en/{texts.key_for('guess', 'en', 'Vote')}.opus").status_code == 404
    assert (
        client.get(f"/audio/en/{texts.key_for(secret, 'en', 'Say this')}.opus").status_code == 404
    )
    assert client.get(f"/audio/en/{texts.key_for(secret, 'en', 'Vote')}.opus").status_code == 200


def test_a_childs_own_words_are_never_spoken(app, session, meeting, needs_synthesis):
    client = join(tablet(app), meeting)
    path = f"/meeting/services/{meeting.services[0].id}"
    client.post(path, data={"happened": "My own secret words", "once": once(client, path)})
    client.post(
        "/meeting/propose", data={"title": "My idea", "once": once(client, "/meeting/propose")}
    )
    secret = app.config["SECRET_KEY"]
    for words in ("My own secret words", "My idea"):
        assert client.get(f"/audio/en/{texts.key_for(secret, 'en', words)}.opus").status_code == 404
    mine = client.get("/meeting/mine").get_data(as_text=True)
    assert "My own secret words" in mine
    assert not re.search(r"data-audio[^>]*>\s*My own secret words", mine)


def test_a_child_page_reads_only_its_own_boards_words(app, session, meeting, make):
    """The page's registry of speakable words is its board's rows (a network of hundreds of
    boards is not read on every page); the audio address still resolves network-wide."""
    other = make.board(name="Elsewhere", partners=[make.organisation(name="Far Ministry")])
    make.service(other, name="Far clinic")
    make.action(other, title="Far action", moderation=ModerationState.APPROVED)
    session.commit()
    own = texts.database_texts(session, "en", meeting.board_id)
    assert {"Clinic", "Ministry of Children"} <= own
    assert not own & {"Far clinic", "Far Ministry", "Far action"}
    network = texts.database_texts(session, "en")
    assert {"Clinic", "Far clinic", "Far Ministry", "Far action"} <= network
    secret = app.config["SECRET_KEY"]
    key = texts.key_for(secret, "en", "Far clinic")
    assert texts.resolve(session, secret, "en", key) == "Far clinic"


def test_synthesis_is_busy_rather_than_overloaded(app, client, needs_synthesis, monkeypatch):
    def busy(*args, **kwargs):
        raise synth.SynthesisBusy("busy")

    monkeypatch.setattr(synth, "synthesise", busy)
    key = texts.key_for(app.config["SECRET_KEY"], "en", "Vote")
    response = client.get(f"/audio/en/{key}.opus")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.headers["Cache-Control"] == "no-store"


# Recordings --------------------------------------------------------------------------------


def _upload(client, board, data, *, lang="sq", msgid="Vote", filename="prompt.ogg"):
    return client.post(
        f"/boards/{board.id}/recordings?lang={lang}",
        data={"language": lang, "msgid": msgid, "audio": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_a_facilitator_records_a_prompt_that_children_then_hear(
    app, auth, client, session, world, make
):
    board, facilitator = world.board, world.facilitator
    meeting = make.meeting(board, services=[world.service])
    make.commit()
    auth.as_user(facilitator)
    page = client.get(f"/boards/{board.id}/recordings?lang=sq").get_data(as_text=True)
    assert "0 of" in page and "Vote" in page and "Voto" in page
    response = _upload(client, board, OPUS)
    assert response.status_code == 302
    (recording,) = session.scalars(sa.select(Recording)).all()
    assert (recording.language, recording.msgid, recording.mime) == (
        "sq",
        "Vote",
        "audio/ogg;codecs=opus",
    )
    assert recording.recorded_by_id == facilitator.id
    audit = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "recording.save")
    ).one()
    assert audit.actor_id == facilitator.id and audit.board_id == board.id
    page = client.get(f"/boards/{board.id}/recordings?lang=sq").get_data(as_text=True)
    assert "1 of" in page and facilitator.name in page

    # The child's "Vote" tile plays the recording, in place of the synthesised one.
    child = join(tablet(app), meeting, lang="sq")
    home = child.get("/meeting").get_data(as_text=True)
    (address,) = RECORDED.findall(home)
    played = child.get(address)
    assert played.status_code == 200 and played.data == OPUS
    assert played.headers["Content-Type"] == "audio/ogg; codecs=opus"
    assert played.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert re.search(r'data-audio-rec="[^"]+">Voto<', home)
    # Other languages, other boards: still synthesised.
    assert "data-audio-rec" not in join(tablet(app), meeting, lang="en").get("/meeting").get_data(
        as_text=True
    )

    # Deleted: the address is gone, the child hears the synthesised prompt again.
    response = client.post(f"/recordings/{recording.id}/delete")
    assert response.status_code == 302
    assert client.get(address).status_code == 404
    assert session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "recording.delete")
    ).one()
    assert "data-audio-rec" not in child.get("/meeting").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "fields", "message"),
    [
        (b"RIFF....WAVEfmt " + b"\0" * 100, {}, "not a recording the tablets can play"),
        (b"<html><script>alert(1)</script>", {}, "not a recording the tablets can play"),
        (b"", {}, "The recording is empty"),
        (b"OggS" + b"\0" * 24 + b"OpusHead" + b"\0" * MAX_BYTES, {}, "too long"),
        (OPUS, {"lang": "pl"}, "does not offer that language"),
        (OPUS, {"msgid": "Moderation"}, "not a prompt children see"),
    ],
)
def test_bad_recordings_are_refused_at_the_field(
    auth, client, session, world, data, fields, message
):
    auth.as_user(world.facilitator)
    lang = fields.get("lang", "sq")
    response = client.post(
        f"/boards/{world.board.id}/recordings?lang=sq",
        data={
            "language": lang,
            "msgid": fields.get("msgid", "Vote"),
            "audio": (io.BytesIO(data), "prompt.ogg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 413)
    if response.status_code == 400:
        assert message in response.get_data(as_text=True)
    assert session.scalars(sa.select(Recording)).all() == []


def test_another_boards_facilitator_may_not_record_or_delete(auth, client, session, world, make):
    make.session.add(
        Recording(
            board_id=world.board.id,
            language="sq",
            msgid="Vote",
            audio=OPUS,
            mime="audio/ogg;codecs=opus",
            digest="0" * 64,
            size=len(OPUS),
        )
    )
    make.commit()
    recording = session.scalars(sa.select(Recording)).one()
    auth.as_user(world.other_facilitator)
    assert client.get(f"/boards/{world.board.id}/recordings").status_code == 403
    assert _upload(client, world.board, OPUS).status_code == 403
    assert client.post(f"/recordings/{recording.id}/delete").status_code == 403
    assert session.scalars(sa.select(Recording)).one()
    assert client.get(f"/audio/recordings/{recording.id}/{'1' * 16}").status_code == 404


def test_the_recordings_page_may_use_the_microphone(auth, client, world):
    auth.as_user(world.facilitator)
    response = client.get(f"/boards/{world.board.id}/recordings")
    assert "microphone=(self)" in response.headers["Permissions-Policy"]
    assert "media-src 'self' blob:" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    # Every other page keeps the microphone off.
    assert "microphone=()" in client.get("/").headers["Permissions-Policy"]


def test_sniffing_knows_opus_in_ogg_and_webm_only():
    assert sniff(OPUS) == "audio/ogg;codecs=opus"
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\0" * 40 + b"A_OPUS"
    assert sniff(webm) == "audio/webm;codecs=opus"
    assert sniff(b"\x1a\x45\xdf\xa3" + b"matroska" + b"A_VORBIS") is None
    assert sniff(b"OggS" + b"\0" * 24 + b"vorbis") is None
    assert sniff(b"ID3\x03") is None


def test_a_failing_engine_is_a_missing_sound_not_an_error(
    app, client, needs_synthesis, monkeypatch
):
    synth.engine_version()  # (known already, as in a running server)
    monkeypatch.setattr(synth, "TIMEOUT_SECONDS", 0)  # no engine answers in no time
    key = texts.key_for(app.config["SECRET_KEY"], "en", "Welcome")
    assert client.get(f"/audio/en/{key}.opus").status_code == 404
