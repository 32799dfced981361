"""Time zones to choose a board's from: the IANA zones, the board's country's first.

Which zones are a country's comes from ``zone.tab`` of the ``tzdata`` package (a dependency
already, so every machine and CI has the same list without the network); Kosovo, not in
ISO 3166, keeps the time of Belgrade.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from importlib import resources
from zoneinfo import available_timezones

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# The zones offered: those of a region of the world (not "US/Eastern" or "Etc/GMT+3",
# which are still accepted where a board has one already), and UTC.
REGIONS = (
    "Europe",
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Indian",
    "Pacific",
)
EXTRA_COUNTRIES = {"XK": ("Europe/Belgrade",)}


@cache
def country_zones() -> dict[str, tuple[str, ...]]:
    """Country code -> its zones, as zone.tab lists them (the main one first)."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    zones: dict[str, list[str]] = defaultdict(list)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _where, zone, *_comment = line.split("\t")
            zones[country].append(zone)
    return {**{c: tuple(z) for c, z in zones.items()}, **EXTRA_COUNTRIES}


@cache
def _countries_of_zones() -> dict[str, str]:
    """Zone -> the countries it is listed for ("RS XK"), for the page's own country filter."""
    countries: dict[str, list[str]] = defaultdict(list)
    for country, zones in sorted(country_zones().items()):
        for zone in zones:
            countries[zone].append(country)
    return {zone: " ".join(codes) for zone, codes in countries.items()}


@cache
def offered_zones() -> tuple[str, ...]:
    known = available_timezones()
    return tuple(sorted(z for z in known if z.split("/")[0] in REGIONS)) + ("UTC",)


def country_name(country: str) -> str:
    """The country's name in the page's language ("Albania", "Shqipëri"), else its code."""
    territories = Locale.parse(str(get_locale() or "en")).territories
    return str(territories.get(country.upper(), country.upper()))


def zone_choices(country: str | None, current: str | None = None) -> dict[str | None, list]:
    """Groups of options for a select: "Choose a time zone" (no value, outside every group:
    nothing is chosen for the person), the country's zones, then each region's.
    ``current`` (what the form holds) is offered even if it is not in the list, so a board
    with an older name keeps it and a refused value stays as it was given."""
    own = country_zones().get((country or "").upper(), ())
    countries = _countries_of_zones()

    def option(zone: str) -> tuple[str, str, dict]:
        return (zone, zone.replace("_", " "), {"data-countries": countries.get(zone, "")})

    groups: dict[str | None, list] = {None: [("", _l("Choose a time zone"), {})]}
    if current and current not in offered_zones() and current not in own:
        groups[str(_l("As given"))] = [option(current)]
    if own:
        groups[country_name(country or "")] = [option(z) for z in own]
    by_region: dict[str, list] = defaultdict(list)
    for zone in offered_zones():
        by_region[zone.split("/")[0]].append(option(zone))
    groups.update({region: by_region[region] for region in (*REGIONS, "UTC")})
    return groups


def offer_zones(field, country_field) -> None:
    """Fill a form's time zone select for the country ``country_field`` holds, and tell the
    page's script which field that is and which group holds the country's zones."""
    country = (country_field.data or "").upper()
    field.choices = zone_choices(country, field.data)
    own = country_name(country) if country in country_zones() else ""
    field.render_kw = {"data-zones": "", "data-country-field": country_field.id, "data-own": own}
