"""The partners' dashboard: sums of published figures only, for the reader's summaries,
filtered by country, board, kind of service and months; bad filters are refused cleanly."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from board.auth.models import Role
from board.boards.models import ServiceCategory
from board.summaries import dashboard


@pytest.fixture
def network(app, session, make):
    """Two boards in two countries sending to City hall; a third to someone else."""
    city = make.organisation(name="City hall")
    other = make.organisation(name="Elsewhere")
    tirana = make.board(name="Tirana", country="AL", partners=[city], threshold_k=3)
    sofia = make.board(name="Sofia", country="BG", partners=[city], threshold_k=3)
    hidden = make.board(name="Hidden", country="RO", partners=[other], threshold_k=3)
    health = {b: make.service(b, name=f"Clinic {b.name}") for b in (tirana, sofia, hidden)}
    school = make.service(tirana, name="School", category=ServiceCategory.SCHOOL_EDUCATION)
    make.held(
        tirana,
        date(2030, 1, 9),
        {health[tirana]: [3, 3, 3, 4, 4, 4, 5, 5, 5], school: [1, 1, 1, 5, 5, 5]},
    )
    make.held(tirana, date(2030, 2, 9), {health[tirana]: [3, 3, 3], school: [1, 5]})
    make.held(sofia, date(2030, 1, 16), {health[sofia]: [2, 2, 2, 2, 4, 4, 4]})
    make.held(hidden, date(2030, 1, 9), {health[hidden]: [5, 5, 5, 5, 5, 5, 5]})
    for board, month in ((tirana, 1), (tirana, 2), (sofia, 1), (hidden, 1)):
        make.summary(board, date(2030, month, 1), publish=True)
    # A draft is never counted.
    make.held(sofia, date(2030, 3, 9), {health[sofia]: [5, 5, 5, 5, 5]})
    make.summary(sofia, date(2030, 3, 1))
    people = {
        "partner": make.user(Role.PARTNER, organisation=city),
        "other": make.user(Role.PARTNER, organisation=other),
        "facilitator": make.user(Role.FACILITATOR, sofia),
        "lead": make.user(Role.SAFEGUARDING_LEAD, sofia),
        "admin": make.user(Role.ADMINISTRATOR),
    }
    session.commit()
    return {"tirana": tirana, "sofia": sofia, "hidden": hidden, **people}


def _build(session, organisation_id, **filters):
    audience = dashboard.Audience(organisation_id=organisation_id)
    return dashboard.build(session, audience, dashboard.Filters(**filters))


def test_sums_only_what_was_published_to_the_reader(session, network):
    data = _build(session, network["partner"].organisation_id)
    assert data.summaries == 3  # Tirana twice, Sofia once; not the draft, not Hidden
    # The boards' own months: Tirana's January and Sofia's showed five ratings; Tirana's
    # February (5 ratings, a small school among them) only its number.
    assert data.overall.ratings == 15 + 5 + 7 and data.overall.withheld == 0
    assert (data.overall.split, data.overall.good_count, data.overall.good) == (22, 12, 55)
    assert data.overall.unsplit == 5
    boards = {t.label: t.ratings for t in data.by_board}
    assert boards == {"Sofia (BG)": 7, "Tirana (AL)": 20}
    periods = {t.label: t.ratings for t in data.by_period}
    assert periods == {"2030-01": 22, "2030-02": 5}
    health = next(t for t in data.by_category if t.key == "health")
    # Tirana's February clinic is withheld (its number beside the board's and the small
    # school's would give the school away): left out, and counted as withheld.
    assert health.counts == (0, 4, 3, 6, 3) and health.five == 16 and health.good == 56
    assert health.ratings == 16 and health.withheld == 1


def test_every_sum_is_a_sum_of_published_figures(session, network):
    """Nothing the dashboard shows can be finer than what the summaries showed."""
    from board.summaries.models import Summary, SummaryState

    published = session.query(Summary).filter(Summary.state == SummaryState.PUBLISHED).all()
    received = [s for s in published if network["partner"].organisation in s.recipients]
    overall = [f for s in received for f in s.figures if f.overall]
    data = _build(session, network["partner"].organisation_id)
    assert data.overall.ratings == sum(f.total or 0 for f in overall)
    assert data.overall.good_count == sum(f.good or 0 for f in overall)
    rows = [f for s in received for f in s.figures if not f.overall]
    assert sum(t.ratings for t in data.by_category) == sum(f.total or 0 for f in rows)


def test_filters(session, network):
    org = network["partner"].organisation_id
    assert _build(session, org, country="BG").overall.ratings == 7
    assert _build(session, org, board_id=network["tirana"].id).overall.ratings == 20
    assert _build(session, org, category="school_education").overall.withheld == 1
    feb = _build(session, org, start=date(2030, 2, 1), end=date(2030, 2, 1))
    assert feb.overall.ratings == 5 and feb.summaries == 1
    assert _build(session, org, start=date(2031, 1, 1)).summaries == 0


def test_the_page_and_its_exports(client, auth, network):
    auth.as_user(network["partner"])
    page = client.get("/dashboard")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<title id="chart-periods-title">' in html and "<desc id=" in html
    assert "Tirana (AL)" in html and "Hidden" not in html
    rows = list(csv.reader(io.StringIO(client.get("/dashboard.csv?country=AL").get_data(True))))
    assert rows[1][:3] == ["all", "", "20"]
    data = client.get("/dashboard.json?category=health").json
    assert data["overall"]["ratings"] == 16 and data["summaries"] == 3
    assert "55% good or very good, of 22 answers in published distributions" in html
    assert "5 answers in groups too small to break down" in html


@pytest.mark.parametrize(
    "query",
    [
        "board=999999",
        "board=not-a-number",
        "country=ZZ",
        "category=casino",
        "start=2030-13",
        "start=yesterday",
        "start=2030-05&end=2030-01",
    ],
)
def test_bad_filters_are_refused_cleanly(client, auth, network, query):
    auth.as_user(network["partner"])
    page = client.get(f"/dashboard?{query}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Please correct the marked fields." in html and "Ratings per period" not in html
    assert client.get(f"/dashboard.json?{query}").status_code == 400
    assert client.get(f"/dashboard.csv?{query}").status_code == 400


def test_another_organisations_board_is_not_a_choice(client, auth, network):
    auth.as_user(network["partner"])
    assert client.get(f"/dashboard?board={network['hidden'].id}").status_code == 400
    auth.as_user(network["other"])
    data = client.get("/dashboard.json").json
    assert data["overall"]["ratings"] == 7 and [b["label"] for b in data["by_board"]] == [
        "Hidden (RO)"
    ]


def test_who_sees_what(client, auth, network):
    auth.as_user(network["facilitator"])  # Sofia's: Sofia's published summaries
    data = client.get("/dashboard.json").json
    assert [b["label"] for b in data["by_board"]] == ["Sofia (BG)"]
    auth.as_user(network["admin"])
    assert client.get("/dashboard.json").json["summaries"] == 4
    auth.as_user(network["lead"])
    assert client.get("/dashboard").status_code == 403
