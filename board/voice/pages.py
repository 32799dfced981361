"""What a child page carries for its audio: each speakable text's address, and a recording's
where the board has one (the template helper ``audio_for``)."""

from __future__ import annotations

from flask import current_app, g, url_for
from markupsafe import Markup, escape

from board.db import db
from board.i18n import current_language
from board.voice import queries, synth, texts


def _recordings() -> dict:
    """The board's recordings in the page's language (loaded once per request)."""
    if "_recordings" not in g:
        meeting = g.get("meeting")
        lang = current_language()
        g._recordings = queries.recordings_of(db, meeting.board_id, lang) if meeting else {}
    return g._recordings


def _speakable(lang: str, text: str) -> bool:
    """Whether the audio endpoint will speak ``text``: the same registry (board.voice.texts),
    so no page offers an address that answers 404. The database's words (the page's board's
    only) are read once per request, and only when a text is not a catalogue message."""
    if text in texts.catalogue(lang):
        return True
    cache = g.setdefault("_spoken_texts", {})
    if lang not in cache:
        meeting = g.get("meeting")  # a child page shows its own board's words only
        cache[lang] = texts.database_texts(db, lang, meeting.board_id if meeting else None)
    return text in cache[lang]


def addresses(text, lang: str | None = None) -> tuple[str | None, str | None]:
    """The synthesised audio's address and the board's recording's (either may be None)."""
    # The page's language: Romani on a Romani page, whose Flask-Babel locale (for dates) is
    # the board's language.
    lang = lang or current_language()
    spoken = texts.normalise(text)
    if not spoken:
        return None, None
    made = None
    if lang in texts.languages() and synth.available() and _speakable(lang, spoken):
        key = texts.key_for(current_app.config["SECRET_KEY"], lang, spoken)
        made = url_for("voice.synthesised", lang=lang, key=key)
    recorded = None
    msgid = texts.source_of(lang, spoken)
    if msgid is not None and (recording := _recordings().get(msgid)) is not None:
        recorded = url_for(
            "voice.recorded", recording_id=recording.id, digest=recording.digest[:16]
        )
    return made, recorded


def audio_for(text, lang: str | None = None) -> Markup:
    """`` data-audio="..."`` (and `` data-audio-rec="..."``) for an element saying ``text``."""
    made, recorded = addresses(text, lang)
    out = ""
    if made:
        out += f' data-audio="{escape(made)}"'
    if recorded:
        out += f' data-audio-rec="{escape(recorded)}"'
    # Every part was escaped above: addresses this server made.
    return Markup(out)  # noqa: S704  # nosec B704


def init_app(app) -> None:
    app.jinja_env.globals["audio_for"] = audio_for
