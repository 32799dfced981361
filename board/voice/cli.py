"""``flask --app board voice build``: make every child prompt's audio ahead of time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import click
from flask import current_app
from flask.cli import AppGroup

from board.db import db
from board.voice import synth, texts

voice_cli = AppGroup("voice", help="Audio for children: synthesised speech (espeak-ng, offline).")


@dataclass
class Built:
    lang: str
    texts: int = 0
    made: int = 0
    failed: int = 0
    sizes: list[int] = field(default_factory=list)
    seconds: float = 0.0


def build(instance_path: str, languages: list[str], *, with_database: bool = True) -> list[Built]:
    """Synthesise (or find cached) every child message, and the database's words a child
    page shows, in each of ``languages``."""
    folder = synth.cache_folder(instance_path)
    results = []
    for lang in languages:
        done = Built(lang)
        wanted = set(texts.catalogue(lang))
        if with_database:
            wanted |= texts.database_texts(db, lang)
        start = time.perf_counter()
        for text in sorted(wanted):
            done.texts += 1
            fresh = synth.cached(folder, lang, texts.normalise(text)) is None
            try:
                path = synth.synthesise(folder, lang, text, wait=60)
            except (synth.SynthesisUnavailable, synth.SynthesisBusy, OSError):
                done.failed += 1
                continue
            except Exception:  # noqa: BLE001  (one text that fails, a timeout, stops no other)
                done.failed += 1
                continue
            done.made += int(fresh)
            done.sizes.append(path.stat().st_size)
        done.seconds = time.perf_counter() - start
        results.append(done)
    return results


@voice_cli.command("build")
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
def build_command(languages: tuple[str, ...]) -> None:
    """Synthesise every child prompt in every shipped language into instance/audio (files
    already there are kept). Children's tablets get them at once instead of waiting for the
    first play."""
    if not synth.available():
        raise click.ClickException(synth.explain_missing())
    chosen = list(languages) or texts.languages()
    unknown = [code for code in chosen if code not in texts.languages()]
    if unknown:
        raise click.ClickException(f"No voice for: {', '.join(unknown)}")
    for done in build(current_app.instance_path, chosen):
        click.echo(
            f"{done.lang:<8} {done.texts:>5} texts, {done.made:>5} made now, "
            f"{done.failed:>3} failed, {sum(done.sizes) // 1024:>6} KB, {done.seconds:.1f} s"
        )
