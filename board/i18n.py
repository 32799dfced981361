"""Languages: what ships, how a request's locale is chosen, where catalogues live."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

# code -> (name of the language in itself, text direction). English first: the source.
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "ltr"),
    "sq": ("Shqip", "ltr"),
    "bg": ("Български", "ltr"),
    "pl": ("Polski", "ltr"),
    "ro": ("Română", "ltr"),
    "sr_Latn": ("Srpski", "ltr"),
    "ar": ("العربية", "rtl"),
}
DEFAULT_LANGUAGE = "en"


def language_name(code: str) -> str:
    """The name of a shipped language in that language."""
    return LANGUAGES[code][0]


def html_lang(code: str) -> str:
    """BCP 47 tag for ``lang=`` (``sr_Latn`` -> ``sr-Latn``)."""
    return code.replace("_", "-")


def direction(code: str) -> str:
    """``rtl`` or ``ltr``."""
    return LANGUAGES.get(code, ("", "ltr"))[1]


def find_translations(package_dir: Path) -> Path:
    """The translations folder: inside the package in a wheel, beside it in a checkout."""
    for candidate in (package_dir / "translations", package_dir.parent / "translations"):
        if candidate.is_dir():
            return candidate
    return package_dir.parent / "translations"


def select_locale() -> str:
    """Explicit choice, then the account's preference, then the browser, then the board."""
    if not has_request_context():
        return DEFAULT_LANGUAGE  # command line
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    preferred = getattr(current_user, "locale", None)
    if preferred in LANGUAGES:
        return preferred
    board_languages = g.get("board_languages") or []
    offered = [code for code in LANGUAGES if code in board_languages] or list(LANGUAGES)
    best = request.accept_languages.best_match([html_lang(c) for c in offered] + offered)
    if best:
        return best.replace("-", "_")
    if board_languages and board_languages[0] in LANGUAGES:
        return board_languages[0]
    return DEFAULT_LANGUAGE


def format_in_zone(moment: datetime, zone: str, format: str = "medium") -> str:
    """A date and time in a board's time zone, in the page's language."""
    return format_datetime(moment, format=format, tzinfo=ZoneInfo(zone), locale=get_locale())


def format_time_in(moment: datetime, zone: str) -> str:
    """The time of day only, in a board's time zone."""
    return format_time(moment, format="short", tzinfo=ZoneInfo(zone), locale=get_locale())


babel = Babel()


def init_app(app: Flask) -> None:
    """Wire Flask-Babel to our locale selector and catalogues."""
    directory = find_translations(Path(app.root_path))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(directory))
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_filter(format_in_zone, "in_zone")
    app.add_template_filter(format_time_in, "time_in")
