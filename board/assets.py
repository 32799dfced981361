"""Static files the ecosystem's way: content-hashed names, immutable caching, precompressed
copies, served by WhiteNoise before Flask sees the request.

A tablet on a poor link pays a round trip for every file it has to ask about again. So:

- At start-up every file of ``board/static/`` gets a copy in the build folder (the
  ``STATIC_BUILD_FOLDER`` setting; ``instance/static`` when unset) under a name that holds a
  hash of its content: ``board.css`` becomes ``board.3f2a9c1d0b7e.css``. Beside it go its
  Brotli and gzip copies (``.br``, ``.gz``, where they are smaller). ``url_for('static',
  filename='board.css')`` gives the hashed name.
- A hashed name is served with ``Cache-Control: max-age=<10 years>, public, immutable``: a
  browser keeps it and never asks again; a changed file gets a new name, so a page always
  gets what it was made with. A file's own name (an old link, an address typed by hand)
  still works, with a short cache (``STATIC_MAX_AGE``).
- WhiteNoise picks the ``.br`` or ``.gz`` copy by the request's Accept-Encoding, with
  ``Vary: Accept-Encoding``.

No build step to forget: ``make run``, gunicorn and the tests all build at start. The copies
are content-addressed, so one that exists is whole and right (each is written under a
temporary name and then renamed, the compressed copies before the file itself): workers
starting together, or a second start, only read and hash the sources. Copies of earlier
versions stay, and are still served (a page fetched just before a deploy asks for them).
"""

from __future__ import annotations

import hashlib
import logging
import os
import posixpath
import tempfile
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

log = logging.getLogger(__name__)

HASH_LENGTH = 12
# A compressed copy must save at least this share to be worth a second file (WhiteNoise's own
# rule).
WORTH_COMPRESSING = 0.95
_COMPRESSOR = Compressor(quiet=True)
# Per process: (sources, build folder) -> (the sources' sizes and times, the manifest). Each
# test makes an app of its own; hashing the same files again for each would be wasted.
_BUILT: dict[tuple[str, str], tuple[tuple, dict[str, str]]] = {}
EXTENSION = "board.assets"


def hashed_name(name: str, content: bytes) -> str:
    """``js/tablet.js`` -> ``js/tablet.<first 12 hex digits of its SHA-256>.js``."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    folder, base = posixpath.split(name)
    stem, dot, suffix = base.rpartition(".")
    hashed = f"{stem}.{digest}.{suffix}" if dot and stem else f"{base}.{digest}"
    return posixpath.join(folder, hashed)


def _write(path: Path, data: bytes) -> None:
    """Write under a temporary name, then rename: a file under its final name is whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _copy(content: bytes, built: Path) -> None:
    """The compressed copies first, the file last: once it exists, they do too."""
    if _COMPRESSOR.should_compress(built.name):
        for suffix, compress in (
            (".br", _COMPRESSOR.compress_brotli),
            (".gz", _COMPRESSOR.compress_gzip),
        ):
            data = compress(content)
            if len(data) <= WORTH_COMPRESSING * len(content):
                _write(built.with_name(built.name + suffix), data)
    _write(built, content)


def _sources(source: Path) -> list[tuple[str, Path]]:
    """Every file under ``source`` (hidden ones aside), by its name there, sorted."""
    found = []
    for folder, folders, files in os.walk(source):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for file in files:
            if not file.startswith("."):
                path = Path(folder) / file
                found.append((path.relative_to(source).as_posix(), path))
    return sorted(found)


def _signature(sources: list[tuple[str, Path]]) -> tuple:
    return tuple((name, path.stat().st_size, path.stat().st_mtime_ns) for name, path in sources)


def build(source: Path, target: Path) -> dict[str, str]:
    """Copy every file of ``source`` into ``target`` under its hashed name, with its
    compressed copies; return the manifest ``{name: hashed name}``."""
    sources = _sources(source)
    key = (str(source), str(target))
    signature = _signature(sources)
    known = _BUILT.get(key)
    if known is not None and known[0] == signature and target.is_dir():
        return known[1]
    manifest = {}
    for name, path in sources:
        content = path.read_bytes()
        hashed = hashed_name(name, content)
        built = target / hashed
        if not built.exists():
            _copy(content, built)
        manifest[name] = hashed
    _BUILT[key] = (signature, manifest)
    return manifest


def _build_folder(app: Flask) -> Path:
    configured = app.config.get("STATIC_BUILD_FOLDER")
    return Path(configured) if configured else Path(app.instance_path) / "static"


def _build(app: Flask, target: Path) -> tuple[Path, dict[str, str]]:
    """Build into ``target``; where it cannot be written, into a private temporary folder
    (the files are still hashed and compressed, only built again at every start)."""
    source = Path(app.static_folder or "static")
    try:
        return target, build(source, target)
    except OSError as error:
        fallback = Path(tempfile.mkdtemp(prefix="board-static-"))
        log.warning("static files: cannot write %s (%s); built in %s", target, error, fallback)
        return fallback, build(source, fallback)


def _own_name(path: str, url: str) -> bool:
    """Immutable only under the hashed name the file was written as: the same bytes under
    the file's own name (``/static/board.css``) may change at the next deploy."""
    return posixpath.basename(url) == os.path.basename(path)


def _headers(headers, path: str, url: str) -> None:
    # Flask's after_request never sees these responses: what a static file needs of
    # board.security's headers is set here.
    headers["X-Content-Type-Options"] = "nosniff"


def _hashed_url(endpoint: str, values: dict) -> None:
    """``url_for('static', filename=...)`` names the hashed copy."""
    if endpoint == "static" and "filename" in values:
        manifest = current_app.extensions[EXTENSION]
        values["filename"] = manifest.get(values["filename"], values["filename"])


def _refresh() -> None:
    """Development (``flask run --debug``): a file edited since the start gets its new name
    at the next request (WhiteNoise then looks on disk at each request)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    target, manifest = _build(app, _build_folder(app))
    app.extensions[EXTENSION] = manifest


def init_app(app: Flask) -> None:
    """Build the hashed, compressed copies and put WhiteNoise in front of the app."""
    target, manifest = _build(app, _build_folder(app))
    app.extensions[EXTENSION] = manifest
    prefix = app.static_url_path or "/static"
    static = WhiteNoise(
        app.wsgi_app,
        max_age=app.config["STATIC_MAX_AGE"],
        allow_all_origins=False,
        autorefresh=app.debug,
        immutable_file_test=_own_name,
        add_headers_function=_headers,
    )
    static.add_files(str(target), prefix)
    for name, hashed in manifest.items():
        # The file's own name serves the same bytes (and compressed copies), not cached long.
        static.add_file_to_dictionary(f"{prefix}/{name}", str(target / hashed))
    app.wsgi_app = static  # type: ignore[method-assign]  # WSGI middleware, as ProxyFix
    app.url_defaults(_hashed_url)
    if app.debug:
        app.before_request(_refresh)
