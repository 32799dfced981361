"""Speech synthesised on this machine: text + language -> a small Ogg Opus file.

espeak-ng speaks the text (WAV on its standard output), opusenc (Debian's opus-tools) makes
it a mono Opus file at a speech bitrate. Never a remote service: a child's tablet hears what
this server made, or a recording, or its own voice.

- Each program runs with a fixed argument list, no shell, and a timeout; the text goes in on
  espeak-ng's standard input, never into a command line.
- Files are cached under the instance folder (``instance/audio``), named by a hash of the
  voice, the text and the engines' versions: a new espeak-ng makes new files, never a stale
  one under an old name. A file is written to a temporary name beside it and renamed into
  place, so two workers making the same file at once both succeed and a reader never sees
  half of one (no lock needed).
- Where espeak-ng or opusenc is missing, nothing is synthesised: ``available()`` says why,
  the log says it once, and the pages keep working (their audio buttons use a recording or
  the device's voice, or stay hidden).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import subprocess  # nosec B404
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# The espeak-ng voice for each shipped language. Romani (rom, Latin script) has no voice of
# its own: Slovak reads its spelling closely (č, š, ž, kh/ph/th aspirates read letter by
# letter, stress near the end is lost): an approximation, said so in the README.
VOICES = {
    "en": "en",
    "sq": "sq",
    "bg": "bg",
    "pl": "pl",
    "ro": "ro",
    "sr_Latn": "sr",
    "ar": "ar",
    "rom": "sk",
}
# Speech needs little: 20 kbit/s mono Opus is clear and about 2.5 KB a second.
BITRATE_KBPS = "20"
# Longer texts are cut: nothing a child page shows comes near it, and it bounds the work.
MAX_CHARS = 2000
TIMEOUT_SECONDS = 20
# At most this many syntheses at once in one process: the rest wait their turn (briefly) or
# are told to come back, so a burst of first plays cannot take every CPU of the server.
CONCURRENT = 2
_slots = threading.BoundedSemaphore(CONCURRENT)
MIME = "audio/ogg; codecs=opus"


class SynthesisUnavailable(Exception):
    """espeak-ng or opusenc is missing, or the language has no voice."""


class SynthesisBusy(Exception):
    """Too many syntheses at once: try again in a moment."""


def _program(name: str) -> str | None:
    return shutil.which(name)


def missing() -> list[str]:
    """The programs synthesis needs that this machine lacks (empty when it can synthesise)."""
    return [name for name in ("espeak-ng", "opusenc") if not _program(name)]


def available() -> bool:
    return not missing()


_told = False


def explain_missing() -> str:
    """The sentence for a log or a command line when synthesis is not possible."""
    return (
        f"Audio synthesis is off: {', '.join(missing())} not found. Install the Debian "
        "packages espeak-ng and opus-tools; until then children hear recordings or their "
        "tablet's own voice only."
    )


def _tell_once() -> None:
    global _told
    if not _told:
        _told = True
        log.warning(explain_missing())


@functools.cache
def engine_version() -> str:
    """The engines' versions, part of every cached file's name."""
    if not available():
        return "none"
    parts = []
    for name in ("espeak-ng", "opusenc"):
        result = subprocess.run(  # noqa: S603  # nosec B603
            [_program(name) or name, "--version"],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        parts.append(result.stdout.decode("utf-8", "replace").strip().splitlines()[0:1])
    return "|".join(p[0] if p else "?" for p in parts) + f"|{BITRATE_KBPS}k"


def voice_for(lang: str) -> str | None:
    return VOICES.get(lang)


def file_name(lang: str, text: str) -> str:
    """The cached file's name: a hash of the voice, the text and the engines' versions."""
    voice = voice_for(lang) or "?"
    digest = hashlib.sha256(
        "\0".join((voice, text[:MAX_CHARS], engine_version())).encode("utf-8")
    ).hexdigest()
    return f"{digest[:40]}.opus"


def cache_folder(instance_path: str) -> Path:
    return Path(instance_path) / "audio"


def cached(folder: Path, lang: str, text: str) -> Path | None:
    """The file already made for ``text`` in ``lang``, if any."""
    path = folder / file_name(lang, text)
    return path if path.is_file() else None


def _encode(voice: str, text: str) -> bytes:
    speech = subprocess.run(  # noqa: S603  # nosec B603
        [_program("espeak-ng") or "espeak-ng", "-v", voice, "--stdout"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=True,
    ).stdout
    return subprocess.run(  # noqa: S603  # nosec B603
        [
            _program("opusenc") or "opusenc",
            "--quiet",
            "--downmix-mono",
            "--bitrate",
            BITRATE_KBPS,
            "--speech",
            "-",
            "-",
        ],
        input=speech,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=True,
    ).stdout


def synthesise(folder: Path, lang: str, text: str, *, wait: float = 10.0) -> Path:
    """The Opus file saying ``text`` in ``lang``, made now unless cached already.

    Raises SynthesisUnavailable (no voice, no engine) or SynthesisBusy (all slots taken for
    ``wait`` seconds)."""
    voice = voice_for(lang)
    if voice is None:
        raise SynthesisUnavailable(f"no voice for {lang!r}")
    text = " ".join(text.split())[:MAX_CHARS]
    if not text:
        raise SynthesisUnavailable("nothing to say")
    if hit := cached(folder, lang, text):
        return hit
    if not available():
        _tell_once()
        raise SynthesisUnavailable(explain_missing())
    if not _slots.acquire(timeout=wait):
        raise SynthesisBusy("synthesis is busy")
    try:
        if hit := cached(folder, lang, text):  # made by another thread meanwhile
            return hit
        try:
            audio = _encode(voice, text)
        except (subprocess.SubprocessError, OSError) as error:
            # A timeout, a crash, a broken install: this text is not spoken, nothing else stops.
            log.warning(
                "Audio synthesis failed (%s, voice %s): %s", lang, voice, type(error).__name__
            )
            raise SynthesisUnavailable("synthesis failed") from error
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name(lang, text)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(audio)
            os.replace(temporary, path)  # atomic: a reader sees all of it or nothing
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path
    finally:
        _slots.release()
