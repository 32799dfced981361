"""Recordings: a board's staff record the prompts children hear (board.voice.models).

The rules: only a child prompt of the catalogue (board.translate, flag ``child``), only in
one of the board's languages, only Opus in WebM or Ogg (checked by the file's first bytes,
not by what the browser says it is), at most MAX_BYTES (about 15 seconds). Every recording
saved or deleted is written to the audit log.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.audit.services import record
from board.boards.models import Board
from board.db import utcnow
from board.rules import RuleError
from board.voice.models import Recording

# 15 seconds of Opus as a browser records it (up to about 128 kbit/s), with room to spare.
MAX_BYTES = 320 * 1024
MAX_SECONDS = 15
_EBML = b"\x1a\x45\xdf\xa3"


class RecordingError(RuleError):
    pass


def sniff(data: bytes) -> str | None:
    """The recording's type from its first bytes: Opus in Ogg or in WebM, else None."""
    head = data[:4096]
    if head.startswith(b"OggS") and b"OpusHead" in head[:128]:
        return "audio/ogg;codecs=opus"
    if head.startswith(_EBML) and b"webm" in head[:64] and b"A_OPUS" in head:
        return "audio/webm;codecs=opus"
    return None


def prompts() -> list[str]:
    """The prompts staff may record: every child message (a plural by its singular)."""
    from board.translate import child_messages

    seen: dict[str, None] = {}
    for message in child_messages():
        seen.setdefault(message[0] if isinstance(message, tuple) else message, None)
    return list(seen)


def save_recording(
    session: Session, actor, board: Board, language: str, msgid: str, data: bytes
) -> Recording:
    """Keep ``data`` as the board's recording of ``msgid`` in ``language``, in place of any
    earlier one."""
    if language not in board.language_codes:
        raise RecordingError(_l("This board does not offer that language."), "language")
    if msgid not in prompts():
        raise RecordingError(_l("This is not a prompt children see."), "msgid")
    if not data:
        raise RecordingError(_l("The recording is empty. Please record again."), "audio")
    if len(data) > MAX_BYTES:
        raise RecordingError(
            _l("The recording is too long. Keep it under %(n)d seconds.", n=MAX_SECONDS), "audio"
        )
    mime = sniff(data)
    if mime is None:
        raise RecordingError(
            _l("This is not a recording the tablets can play (Opus, in WebM or Ogg)."), "audio"
        )
    recording = session.scalar(
        sa.select(Recording).where(
            Recording.board_id == board.id,
            Recording.language == language,
            Recording.msgid == msgid,
        )
    )
    if recording is None:
        recording = Recording(board_id=board.id, language=language, msgid=msgid)
        session.add(recording)
    recording.audio, recording.mime, recording.size = data, mime, len(data)
    recording.digest = hashlib.sha256(data).hexdigest()
    recording.recorded_by_id = getattr(actor, "id", None)
    recording.recorded_at = utcnow()
    session.flush()
    record(session, actor, "recording.save", recording, board_id=board.id, detail=language)
    return recording


def delete_recording(session: Session, actor, recording: Recording) -> None:
    """Remove a recording: children hear the synthesised prompt again."""
    record(
        session,
        actor,
        "recording.delete",
        recording,
        board_id=recording.board_id,
        detail=recording.language,
    )
    session.delete(recording)
    session.flush()
