"""Languages: what ships, how a request's locale is chosen, where catalogues live."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, get_timezone_name
from dateutil.relativedelta import relativedelta
from flask import Flask, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, get_locale, gettext, ngettext
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


def _same_language(accepted, offered: list[str]) -> str | None:
    """The offered language of the browser's most wanted one, matched by its main part where
    the whole tag is not offered: a Serbian tablet says "sr-Latn-RS" or "sr"."""
    for value, quality in accepted:
        primary = value.replace("_", "-").split("-")[0].lower()
        for code in offered:
            if quality > 0 and code.split("_")[0] == primary:
                return code
    return None


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
    if same := _same_language(request.accept_languages, offered):
        return same
    if board_languages and board_languages[0] in LANGUAGES:
        return board_languages[0]
    return DEFAULT_LANGUAGE


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


def ago(moment: datetime, zone: str, now: datetime, hours: bool = True) -> str:
    """How long ago, in words: "less than an hour ago", "5 hours ago" (``hours``), else by
    calendar days in ``zone``: "today", "yesterday", "3 days ago". Never "0 hours"."""
    elapsed = now - moment
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


babel = Babel()


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
    app.jinja_env.globals["zone_note"] = zone_note
    # A page names the zones of its own times (g outlives a request where a test holds the
    # app context).
    app.before_request(lambda: g.pop("zones_shown", None))
