"""Dates, times, ages and periods as people read them (issue 15, item 4): the month written
out in the reader's language, the 24-hour clock in the board's zone with the zone named once
a page, "less than an hour ago" and "today" rather than "0 hours" or "0 days", and periods
as "March 2030" on pages while files and the API keep ISO."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board.i18n import ago, clock, day, month_name, period_name, when
from board.moderation.models import Concern, ConcernSource
from board.summaries.models import Summary
from tests.factories import after, compose, publish

NOW = datetime(2026, 6, 20, 8, 30, tzinfo=UTC)  # 10:30 in Tirana (summer: UTC+2)
TIRANA = "Europe/Tirane"

# A date written in digits only: 12/1/26, 1.12.2026, 2026-12-01, or a bare 2026-12.
DIGIT_DATE = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{4}-\d{2}(-\d{2})?\b")


def plain(text: str) -> str:
    """Babel's thin and narrow no-break spaces as plain ones."""
    return re.sub(r"[\u2009\u202f\u00a0]", " ", text)


def shown(page: str) -> str:
    """What a person reads: the text between the tags (no attribute, no link)."""
    return plain(re.sub(r"<[^>]*>", " ", page.split("<body>", 1)[-1]))


@pytest.fixture
def speak(app):
    """A request in ``lang``, for the helpers that read the page's language."""

    def enter(lang: str):
        return app.test_request_context("/", headers={"Accept-Language": lang.replace("_", "-")})

    return enter


# The one helper for ages, at its boundaries, on a fixed clock ------------------------------


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (timedelta(0), "less than an hour ago"),
        (timedelta(minutes=59), "less than an hour ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=2), "2 hours ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(hours=24), "yesterday"),
        (timedelta(hours=47), "2 days ago"),
        (timedelta(days=3), "3 days ago"),
        (-timedelta(minutes=5), "less than an hour ago"),  # a clock a little ahead
    ],
)
def test_ages_in_hours_then_days(speak, before, expected):
    with speak("en"):
        assert ago(NOW - before, TIRANA, NOW) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (NOW, "today"),
        (datetime(2026, 6, 19, 22, 0, tzinfo=UTC), "today"),  # 00:00 in Tirana, UTC's day before
        (datetime(2026, 6, 19, 21, 59, tzinfo=UTC), "yesterday"),  # 23:59 the day before
        (datetime(2026, 6, 18, 22, 0, tzinfo=UTC), "yesterday"),
        (datetime(2026, 6, 18, 21, 59, tzinfo=UTC), "2 days ago"),
        (datetime(2026, 6, 10, 8, 30, tzinfo=UTC), "10 days ago"),
    ],
)
def test_ages_in_days_count_midnights_in_the_boards_zone(speak, moment, expected):
    with speak("en"):
        assert ago(moment, TIRANA, NOW, hours=False) == expected


def test_an_age_in_days_never_says_0_and_hours_never_0(speak):
    with speak("en"):
        for minutes in range(0, 60 * 24 * 3, 7):
            moment = NOW - timedelta(minutes=minutes)
            for words in (ago(moment, TIRANA, NOW), ago(moment, TIRANA, NOW, hours=False)):
                assert not words.startswith("0 ")


# Dates, times and periods in the reader's language ------------------------------------------


@pytest.mark.parametrize(
    ("lang", "long", "month", "quarter"),
    [
        ("en", "1 December 2026", "December 2026", "January – March 2026"),
        ("sq", "1 dhjetor 2026", "dhjetor 2026", "janar – mars 2026"),
        ("ar", "1 ديسمبر 2026", "ديسمبر 2026", "يناير – مارس 2026"),
        ("bg", "1 декември 2026 г.", "декември 2026 г.", "януари – март 2026 г."),
        ("pl", "1 grudnia 2026", "grudzień 2026", "styczeń–marzec 2026"),
        ("ro", "1 decembrie 2026", "decembrie 2026", "ianuarie – martie 2026"),
        ("sr_Latn", "1. decembar 2026.", "decembar 2026.", "januar – mart 2026."),
        # CLDR has no Romani: the board's language's dates, here (no board) English's.
        ("rom", "1 December 2026", "December 2026", "January – March 2026"),
    ],
)
def test_dates_have_the_month_written_out(speak, lang, long, month, quarter):
    with speak(lang):
        assert plain(day(date(2026, 12, 1))) == long
        assert plain(month_name(date(2026, 12, 1))) == month
        assert plain(period_name(date(2026, 1, 1), 3)) == quarter
        assert plain(period_name((date(2026, 1, 1), 3))) == quarter  # a dashboard's key
        # 23:30 UTC on 30 November is 00:30 on 1 December in Tirana
        assert plain(day(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), TIRANA)) == long


@pytest.mark.parametrize("lang", ["en", "sq", "bg", "pl", "ro", "sr_Latn", "ar", "rom"])
def test_times_are_the_24_hour_clock_in_the_boards_zone(speak, lang):
    with speak(lang):
        assert clock(NOW, TIRANA).startswith("10:30")
        assert clock(datetime(2026, 6, 20, 13, 5, tzinfo=UTC), TIRANA).startswith("15:05")
        assert "10:30" in when(NOW, TIRANA) and "2026" in when(NOW, TIRANA)
    with speak("en"):
        assert when(NOW, TIRANA) == "20 June 2026, 10:30"
        assert when(NOW, TIRANA, weekday=True) == "Saturday, 20 June 2026, 10:30"


def test_a_quarter_over_a_new_year(speak):
    with speak("en"):
        assert plain(period_name(date(2025, 11, 1), 3)) == "November 2025 – January 2026"


# Pages ------------------------------------------------------------------------------------


def _published(client, auth, session, world, make) -> Summary:
    make.rated_month(world)
    summary, _ = compose(client, auth, session, world.board, world.people)
    make.moderated(world.board)
    make.commit()
    with after(date(2030, 3, 1)):  # a period is published once it is over
        auth.as_user(world.people["facilitator"])  # a sign-in of today's, at that day
        answer = publish(client, summary)
        assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    auth.as_user(world.people["facilitator"])
    session.expire_all()
    published = session.scalar(sa.select(Summary))
    assert published is not None and published.published_at is not None
    return published


def _no_digit_date(page: str) -> None:
    text = shown(page)
    assert not DIGIT_DATE.search(text), DIGIT_DATE.search(text)


@pytest.mark.parametrize(
    ("lang", "period", "published"),
    [
        ("en", "March 2030", "2 April 2030"),
        ("sq", "mars 2030", "2 prill 2030"),
        ("ar", "مارس 2030", "2 أبريل 2030"),
    ],
)
def test_a_summary_page_names_its_period_and_day(
    client, auth, session, world, make, lang, period, published
):
    summary = _published(client, auth, session, world, make)
    auth.as_user(world.people["partner"])
    page = client.get(f"/summaries/{summary.id}", headers={"Accept-Language": lang})
    text = shown(page.get_data(as_text=True))
    assert period in text and published in text
    _no_digit_date(text)
    # the files keep ISO
    assert '"2030-03"' in client.get(f"/summaries/{summary.id}.json").get_data(as_text=True)
    assert summary.period == "2030-03"


def test_summary_list_waiting_and_dashboard_read_as_words(client, auth, session, world, make):
    _published(client, auth, session, world, make)
    auth.as_user(world.people["facilitator"])
    listing = client.get(f"/boards/{world.board.id}/summaries").get_data(as_text=True)
    # the summaries, and the periods offered for the next one
    assert "March 2030" in listing and "January – March 2030" in shown(listing)
    waiting = client.get("/answers/waiting").get_data(as_text=True)
    assert "today" in shown(waiting) and not re.search(r"\b0 (days?|hours?)\b", shown(waiting))
    auth.as_user(world.people["partner"])
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "March 2030" in shown(dashboard)
    home = client.get("/").get_data(as_text=True)
    assert "March 2030" in home
    for page in (listing, waiting, dashboard, home):
        _no_digit_date(page)
    exported = client.get("/dashboard.json").get_data(as_text=True)
    assert '"start":"2030-03"' in exported


def test_waiting_counts_days_in_words(client, auth, session, world, make):
    summary = _published(client, auth, session, world, make)
    for later, words in ((timedelta(days=1), "yesterday"), (timedelta(days=4), "4 days ago")):
        with time_machine.travel(summary.published_at + later):
            auth.as_user(world.people["facilitator"])
            assert words in shown(client.get("/answers/waiting").get_data(as_text=True))


@pytest.mark.parametrize("lang", ["en", "sq", "ar"])
def test_the_zone_is_named_once_on_a_page_with_several_times(
    client, auth, session, world, make, lang
):
    for n in range(3):
        make.meeting(world.board, date(2030, 1, 12) + timedelta(weeks=n), open=False)
    make.commit()
    auth.as_user(world.people["facilitator"])
    page = client.get(
        f"/boards/{world.board.id}/meetings", headers={"Accept-Language": lang}
    ).get_data(as_text=True)
    assert page.count("10:00") >= 3 and not re.search(r"\b[AP]M\b", shown(page))
    assert page.count("(Europe/Tirane)") == 1 and page.count('class="muted zone-note"') == 1
    _no_digit_date(page)
    if lang == "en":
        assert "Times are in Central European Time (Europe/Tirane)." in page
        assert "Saturday, 12 January 2030, 10:00" in page


def test_a_page_without_times_names_no_zone(client, auth, session, world, make):
    summary = _published(client, auth, session, world, make)
    auth.as_user(world.people["partner"])
    client.get(f"/boards/{world.board.id}/meetings")  # times on another page first
    assert "zone-note" not in client.get(f"/summaries/{summary.id}").get_data(as_text=True)


def test_the_room_page_dates_the_meeting(client, auth, session, world, make):
    meeting = make.meeting(world.board, date(2030, 1, 12))
    make.commit()
    auth.as_user(world.people["facilitator"])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Meeting of 12 January 2030" in page and "Saturday, 12 January 2030, 10:00" in page
    assert page.count("(Europe/Tirane)") == 1
    _no_digit_date(page)


def test_concern_ages_and_the_moderation_queue(client, auth, session, world, make):
    make.rated_month(world)  # leaves a text waiting for moderation, of March 2030
    board = world.board
    session.add(
        Concern(
            board_id=board.id,
            source=ConcernSource.OTHER,
            reason="seen",
            urgency="today",
            occurred_on=date(2026, 6, 1),
        )
    )
    make.commit()
    concern = session.scalar(sa.select(Concern))
    auth.as_user(world.people["lead"])
    listing = client.get(f"/boards/{board.id}/concerns").get_data(as_text=True)
    assert "less than an hour ago" in listing and "0 hours" not in listing
    assert listing.count("(Europe/Tirane)") == 1
    one = client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert "less than an hour ago" in one
    home = client.get("/").get_data(as_text=True)
    assert "raised less than an hour ago" in home
    auth.as_user(world.people["facilitator"])
    queue = client.get(f"/boards/{board.id}/moderation").get_data(as_text=True)
    assert "March 2030" in queue
    for page in (listing, one, home, queue):
        _no_digit_date(page)


def test_admin_pages_date_in_words(client, auth, session, world, make):
    _published(client, auth, session, world, make)  # leaves lines in the audit log
    auth.as_user(world.people["admin"])
    client.post(f"/admin/organisations/{world.org.id}/tokens", data={"name": "Reports"})
    for path in ("/admin/audit", f"/admin/organisations/{world.org.id}/tokens"):
        page = client.get(path).get_data(as_text=True)
        assert "20 June 2026" in page and page.count("Times are in UTC.") == 1, path
        assert "2026-06-20" not in page and "(UTC)" not in page


@pytest.mark.parametrize(
    ("lang", "hour", "today", "days", "zone"),
    [
        ("sq", "më pak se një orë më parë", "sot", "3 ditë më parë", "Oraret janë sipas"),
        ("ar", "قبل أقل من ساعة", "اليوم", "قبل 3 أيام", "الأوقات حسب"),
    ],
)
def test_ages_and_the_zone_in_the_readers_language(
    client, auth, session, world, make, speak, lang, hour, today, days, zone
):
    with speak(lang):
        assert ago(NOW - timedelta(minutes=59), TIRANA, NOW) == hour
        assert ago(NOW, TIRANA, NOW, hours=False) == today
        assert ago(NOW - timedelta(days=3), TIRANA, NOW, hours=False) == days
    make.meeting(world.board, date(2030, 1, 12), open=False)
    make.commit()
    auth.as_user(world.people["facilitator"])
    page = client.get(f"/boards/{world.board.id}/meetings", headers={"Accept-Language": lang})
    assert shown(page.get_data(as_text=True)).count(zone) == 1
