"""Audio for children (board/voice): per language, the share of child-facing texts that have
audio (a recording of a board's, or synthesised here with espeak-ng + opusenc; target 100 %),
the synthesised files' sizes (median and largest) and the time to build them all from an
empty cache.

The texts: every catalogue message flagged ``child`` as a page shows it (board.voice.texts),
and the demo network's words that child pages show (services' names, approved actions'
wordings, partners' answers for children, organisations). ``python -m bench.voice [LANG...]``
runs it alone.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench.history import bench_app
from board.db import get_session
from board.demo import seed
from board.voice import synth, texts
from board.voice.models import Recording


def measure(languages: list[str] | None = None) -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(f"sqlite:///{Path(folder) / 'voice.sqlite3'}")
        cache = Path(folder) / "audio"
        with app.app_context():
            session = get_session()
            seed(session)
            session.commit()
            for lang in languages or texts.languages():
                catalogue = texts.catalogue(lang)
                wanted = set(catalogue) | texts.database_texts(session, lang)
                recorded = set(
                    session.scalars(sa.select(Recording.msgid).where(Recording.language == lang))
                )
                sizes, with_audio = [], 0
                started = time.perf_counter()
                for text in sorted(wanted):
                    if catalogue.get(text) in recorded:
                        with_audio += 1
                        continue
                    try:
                        path = synth.synthesise(cache, lang, text, wait=60)
                    except (synth.SynthesisUnavailable, synth.SynthesisBusy):
                        continue
                    with_audio += 1
                    sizes.append(path.stat().st_size)
                seconds = time.perf_counter() - started
                rows.append((lang, len(wanted), with_audio, sizes, seconds))
    return rows


def main(languages: list[str] | None = None) -> None:
    print("\naudio for children (recording, else synthesised offline: espeak-ng + opusenc)")
    if not synth.available():
        print(f"  {synth.explain_missing()}")
    header = (
        f"{'language':<9} {'texts':>6} {'with audio':>11} {'share':>7} {'target':>7} "
        f"{'median B':>9} {'max B':>7} {'build s':>8}"
    )
    print(header)
    print("-" * len(header))
    for lang, total, with_audio, sizes, seconds in measure(languages):
        share = 100 * with_audio / total if total else 0
        median = int(statistics.median(sizes)) if sizes else 0
        print(
            f"{lang:<9} {total:>6} {with_audio:>11} {share:>6.1f}% {'100%':>7} "
            f"{median:>9} {max(sizes, default=0):>7} {seconds:>8.1f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or None)
