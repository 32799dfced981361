"""Languages: what ships, how a request's language is chosen, where catalogues live, and
what a message missing in a language shows instead.

A page speaks one language (``current_language``: ``<html lang>``, what a child gives is
recorded in it). Its messages come from gettext's own fallback chain (``FallbackDomain``):
that language's catalogue, then the board's own language (``fallback_language``: the first
the board offers that ships complete), then English, the source. So a Romani page on an
Albanian board shows Albanian where the Romani draft has no word yet, never English unless
the board offers English or no board is known. Flask-Babel's locale (dates, numbers) is the
page's language where CLDR knows it, else the board's (``cldr_locale``): CLDR has no Romani.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, localedata
from babel.dates import format_date, format_interval, format_skeleton, get_timezone_name
from babel.support import NullTranslations, Translations
from dateutil.relativedelta import relativedelta
from flask import Flask, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, Domain, force_locale, get_locale, gettext, ngettext
from flask_login import current_user
from markupsafe import Markup
from werkzeug.utils import cached_property

# code -> (name of the language in itself, text direction). English first: the source.
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "ltr"),
    "sq": ("Shqip", "ltr"),
    "bg": ("Български", "ltr"),
    "pl": ("Polski", "ltr"),
    "ro": ("Română", "ltr"),
    "sr_Latn": ("Srpski", "ltr"),
    "ar": ("العربية", "rtl"),
    "rom": ("Romani čhib", "ltr"),
}
DEFAULT_LANGUAGE = "en"
# Languages whose catalogue may stay incomplete: a draft (Romani, Latin script) that grows
# message by message. A message it lacks shows in the board's own language
# (``fallback_language``), never in English unless the board offers English. Every other
# catalogue is complete (tests/test_i18n.py).
INCOMPLETE = frozenset({"rom"})
# The languages staff pages are offered in: an incomplete one would show a staff member mostly
# English marked as another language.
STAFF_LANGUAGES = {code: value for code, value in LANGUAGES.items() if code not in INCOMPLETE}
# The languages of the room a tablet last served, kept in its session after a child's
# "I am finished" or the meeting's end (they are the room's, not the child's): the join page
# it goes back to then speaks the board's language, not English.
ROOM_LANGUAGES = "room_languages"


@cache
def has_cldr(code: str) -> bool:
    """True for a language Babel's CLDR data knows (its dates, numbers, plural rules); not for
    Romani, whose pages take them from the board's own language (``cldr_locale``)."""
    return localedata.exists(code)


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


def _same_language(accepted, offered: list[str]) -> str | None:
    """The offered language of the browser's most wanted one, matched by its main part where
    the whole tag is not offered: a Serbian tablet says "sr-Latn-RS" or "sr"."""
    for value, quality in accepted:
        primary = value.replace("_", "-").split("-")[0].lower()
        for code in offered:
            if quality > 0 and code.split("_")[0] == primary:
                return code
    return None


def use_board_languages(codes: list[str], remember: bool = False) -> None:
    """This page is a board's: its languages choose the page's language where nothing else
    does, and its first complete one is the fallback. ``remember`` (a tablet of the board's
    room) keeps them in the session for the join page the tablet goes back to."""
    g.board_languages = codes
    if remember:
        session[ROOM_LANGUAGES] = " ".join(codes)


def _board_languages() -> list[str]:
    """The languages of the board this page is for: named by the page, else those of the room
    this tablet served (a signed-in person's pages are not a tablet's)."""
    if not has_app_context():
        return []
    if codes := g.get("board_languages"):
        return list(codes)
    # Flask-Login's key, not current_user: this runs for every message, and must not load
    # an account (nor reach the database) to translate one.
    if has_request_context() and "_user_id" not in session:
        return str(session.get(ROOM_LANGUAGES, "")).split()
    return []


def fallback_language(board_languages: Iterable[str] | None = None) -> str:
    """The board's own language: the first it offers that ships complete (so not Romani);
    English where it offers no other, or where no board is known. A message missing in the
    page's language shows in this one, and a page in a language CLDR does not know takes its
    dates and numbers from it."""
    for code in _board_languages() if board_languages is None else board_languages:
        if code in LANGUAGES and code not in INCOMPLETE and has_cldr(code):
            return code
    return DEFAULT_LANGUAGE


def select_language() -> str:
    """The page's language: explicit choice, then the account's preference, then the
    browser, then the board's first."""
    if not has_request_context():
        return DEFAULT_LANGUAGE  # command line
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    preferred = getattr(current_user, "locale", None)
    if preferred in LANGUAGES:
        return preferred
    board_languages = _board_languages()
    offered = [code for code in LANGUAGES if code in board_languages] or list(LANGUAGES)
    best = request.accept_languages.best_match([html_lang(c) for c in offered] + offered)
    if best:
        return best.replace("-", "_")
    if same := _same_language(request.accept_languages, offered):
        return same
    if board_languages and board_languages[0] in LANGUAGES:
        return board_languages[0]
    return DEFAULT_LANGUAGE


def cldr_locale(code: str) -> str:
    """The locale whose CLDR data (dates, numbers) a page in ``code`` uses: its own, or for
    a language CLDR does not know (Romani), the board's own (``fallback_language``)."""
    return code if has_cldr(code) else fallback_language()


def select_locale() -> str:
    """Flask-Babel's locale selector: the page's language (``select_language``), as the
    locale CLDR knows for it. The language itself is kept for ``current_language``."""
    code = select_language()
    locale = cldr_locale(code)
    if has_app_context():
        g.page_language = (code, locale)
    return locale


def current_language() -> str:
    """The language this page speaks (``rom`` on a Romani page, whose Flask-Babel locale is
    the board's language): for ``<html lang>``, and for what a child gives in it."""
    locale = get_locale()
    if locale is None:
        return DEFAULT_LANGUAGE
    chosen = g.get("page_language")
    if chosen and chosen[1] == str(locale):
        return chosen[0]
    return str(locale)


@contextmanager
def force_language(code: str) -> Iterator[None]:
    """Flask-Babel's ``force_locale`` for any language of LANGUAGES, Romani too: within it,
    pages speak ``code`` and fall back to the board's language as everywhere."""
    if not has_app_context():
        yield
        return
    locale = cldr_locale(code)
    saved = g.get("page_language")
    with force_locale(locale):
        g.page_language = (code, locale)
        try:
            yield
        finally:
            g.page_language = saved


def translation_chain(language: str | None = None) -> tuple[str, ...]:
    """The catalogues a message is looked up in, in order: the page's language, then the
    board's own; English, the source, ends every chain (a message no catalogue has is
    its English msgid). Empty for an English page."""
    chain: list[str] = []
    for code in (language or current_language(), fallback_language()):
        if code == DEFAULT_LANGUAGE:
            break
        if code not in chain:
            chain.append(code)
    return tuple(chain)


class FallbackDomain(Domain):
    """Flask-Babel's domain whose translations are gettext's own fallback chain
    (``translation_chain``): a message missing in Romani (or in any catalogue) shows in
    the board's language, never in a mix with English unless the board offers English."""

    def get_translations(self):
        if not has_app_context():
            return NullTranslations()
        # The folders are part of the key: every app (a test's too) shares this domain.
        key = (tuple(self.translation_directories), translation_chain())
        if key not in self.cache:
            self.cache[key] = self._load(key[1])
        return self.cache[key]

    def _load(self, chain: tuple[str, ...]) -> NullTranslations:
        first: NullTranslations | None = None
        for code in chain:
            catalogue = self._catalogue(code)
            if first is None:
                first = catalogue
            else:
                first.add_fallback(catalogue)
        return first or NullTranslations()

    def _catalogue(self, code: str) -> NullTranslations:
        """One language's messages, from every translations folder (a missing one: none)."""
        found = [
            loaded
            for directory in self.translation_directories
            if isinstance(
                loaded := Translations.load(directory, [code], self.domain[0]), Translations
            )
        ]
        if not found:
            return NullTranslations()
        for more in found[1:]:
            found[0].merge(more)
        return found[0]


# Dates and times as people read them ---------------------------------------------------------
# Every date a person reads has its month written out ("1 December 2026"), every time is the
# 24-hour clock in the board's zone ("10:00"), and a page with times names the zone once, under
# its content (``zone_note``). Exports, file names and the API keep ISO.


def _date_locale() -> str:
    """The page's locale for dates; English as written in Europe: 1 December 2026, 10:00."""
    code = str(get_locale() or DEFAULT_LANGUAGE)
    return "en_GB" if code == "en" else code


def _local(moment: date | datetime, zone: str | None) -> date:
    if isinstance(moment, datetime):
        return moment.astimezone(ZoneInfo(zone or "UTC")).date()
    return moment


def day(moment: date | datetime, zone: str | None = None, weekday: bool = False) -> str:
    """A date, month written out ("1 December 2026"; "Tuesday, 1 December 2026" with the
    weekday). A moment is dated in ``zone``."""
    return format_date(_local(moment, zone), "full" if weekday else "long", locale=_date_locale())


def clock(moment: datetime, zone: str) -> str:
    """The time of day on the 24-hour clock in ``zone`` ("10:00"); the page names the zone."""
    if has_app_context():
        shown = g.setdefault("zones_shown", [])
        if zone not in shown:
            shown.append(zone)
    return format_skeleton("Hm", moment, tzinfo=ZoneInfo(zone), locale=_date_locale())


def when(moment: datetime, zone: str, weekday: bool = False) -> str:
    """Date and time in ``zone``: "1 December 2026, 10:00"."""
    glue = str(Locale.parse(_date_locale()).datetime_formats["medium"])
    return glue.replace("{1}", day(moment, zone, weekday)).replace("{0}", clock(moment, zone))


def month_name(month: date) -> str:
    """A month: "March 2026"."""
    return format_skeleton("yMMMM", month, locale=_date_locale())


def period_name(month: date | tuple[date, int], months: int = 1) -> str:
    """A period of months from ``month``'s (or a (month, months) key): "March 2026",
    "January – March 2026". For pages; files and the API name a period in ISO
    (``board.summaries.models.period_label``)."""
    if isinstance(month, tuple):
        month, months = month
    if months == 1:
        return month_name(month)
    last = month + relativedelta(months=months - 1)
    return format_interval(month, last, "yMMMM", locale=_date_locale())


def ago(
    moment: datetime, zone: str, now: datetime, hours: bool = True, minutes: bool = False
) -> str:
    """How long ago, in words: "less than an hour ago" (or, with ``minutes``, "just now",
    "2 minutes ago"), "5 hours ago" (``hours``), else by calendar days in ``zone``:
    "today", "yesterday", "3 days ago". Never "0 hours"."""
    elapsed = now - moment
    if minutes and elapsed < timedelta(minutes=1):
        # i18n: how long ago something happened (a child's call for an adult), under a minute.
        return gettext("just now")
    if minutes and elapsed < timedelta(hours=1):
        # i18n: how long ago something happened (a child's call for an adult), in minutes.
        return ngettext(
            "%(num)d minute ago", "%(num)d minutes ago", elapsed // timedelta(minutes=1)
        )
    if hours and elapsed < timedelta(hours=1):
        # i18n: how long ago something happened (a concern raised), under an hour.
        return gettext("less than an hour ago")
    if hours and elapsed < timedelta(days=1):
        # i18n: how long ago something happened, in whole hours (1 to 23).
        return ngettext("%(num)d hour ago", "%(num)d hours ago", elapsed // timedelta(hours=1))
    days = (_local(now, zone) - _local(moment, zone)).days
    if days <= 0:
        # i18n: when something happened: earlier on the same day.
        return gettext("today")
    if days == 1:
        # i18n: when something happened: on the day before today.
        return gettext("yesterday")
    # i18n: when something happened, in calendar days (2 or more).
    return ngettext("%(num)d day ago", "%(num)d days ago", days)


def zone_name(zone: str) -> str:
    """The zone as people know it, with its name: "Central European Time (Europe/Tirane)"."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    return f"{get_timezone_name(ZoneInfo(zone), locale=_date_locale())} ({zone})"


def zone_note() -> str:
    """The sentence naming the zones of the times shown so far on this page, or ""."""
    shown = (g.get("zones_shown") or []) if has_app_context() else []
    # i18n: once under a page with times; the zone is its name and id, such as
    # "Central European Time (Europe/Tirane)".
    return " ".join(gettext("Times are in %(zone)s.", zone=zone_name(z)) for z in shown)


class _Babel(Babel):
    """Flask-Babel, with ``FallbackDomain`` as its default domain."""

    @cached_property
    def domain_instance(self):
        return FallbackDomain(domain=self.domain)


babel = _Babel()


def isolated(value) -> Markup:
    """A name or place typed by someone, set apart from the sentence around it (``<bdi>``):
    a Latin name in an Arabic sentence, or the reverse, keeps its own direction and does not
    reorder the punctuation around it."""
    return Markup("<bdi>{}</bdi>").format(value)


def init_app(app: Flask) -> None:
    """Wire Flask-Babel to our locale selector and catalogues."""
    directory = find_translations(Path(app.root_path))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(directory))
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_filter(day, "day")
    app.add_template_filter(clock, "clock")
    app.add_template_filter(when, "when")
    app.add_template_filter(ago, "ago")
    app.add_template_filter(month_name, "month")
    app.add_template_filter(period_name, "period")
    app.add_template_filter(isolated, "bdi")
    app.jinja_env.globals["zone_note"] = zone_note
    # A page names the zones of its own times (g outlives a request where a test holds the
    # app context).
    app.before_request(lambda: g.pop("zones_shown", None))
