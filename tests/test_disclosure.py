"""Disclosure control, property-based: over random tables, no published figure rests on
fewer than k children, no hidden count can be worked out from what is published, and no
published view tells that everyone, or all but one, gave the same answer (rule 16).

Ratings are checked by an attacker's audit (tests/disclosure_audit.py): integer programming
over every table consistent with all the published figures of a month, or of a quarter
whose service rows and months were published apart, in either order."""

from __future__ import annotations

import functools
import itertools
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from board import disclosure
from board.disclosure import (
    MIN_K,
    Level,
    describe,
    finest,
    part_level,
    publish,
    publish_rows,
    publish_votes,
)
from tests.disclosure_audit import World, cells_of, leaks, shown
from tests.factories import csv_table

# Small groups are where disclosure happens: many counts are 0, 1 or 2. Large ones are
# where unanimity was let through ("15 of 15 said very bad"): some counts are large.
cell = st.one_of(st.just(0), st.integers(0, 2), st.integers(0, 14), st.integers(15, 60))
counts = st.lists(cell, min_size=5, max_size=5)
tables = st.dictionaries(st.sampled_from("ABCDEF"), counts, min_size=1, max_size=5)
thresholds = st.integers(min_value=MIN_K, max_value=7)
# For the audit: small tables, where a hidden count is worth working out.
small = st.lists(st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 6, 9]), min_size=5, max_size=5)


def _rows(table):
    yield from table.rows
    if table.overall is not None:
        yield table.overall


@settings(max_examples=400, deadline=None)
@given(tables, thresholds)
def test_no_published_figure_rests_on_fewer_than_k(rows, k):
    table = publish(rows, k)
    margin = [sum(r[i] for r in rows.values()) for i in range(5)]
    for row, raw in zip(_rows(table), [*rows.values(), margin], strict=True):
        if row.total.shown:
            assert row.total.value == 0 or row.total.value >= k
            assert row.total.value == sum(raw) and row.level >= Level.COUNT
        else:
            # "<k" only for a count under k; "-" for one withheld whatever its size.
            assert row.level < Level.COUNT and (not row.total.small or 0 < sum(raw) < k)
        if row.level.split:
            assert row.shares == disclosure.project(raw, row.level)
            assert all(c == 0 or c >= k for c in row.shares)
            assert not sum(raw) or max(row.shares) < sum(raw) - 1  # no group all but agrees
        else:
            assert row.shares is None and row.percents == ()
        if row.median is not None:
            assert row.level is Level.FIVE
    # The board's month is shown as finely as its rows allow: they give way first, and it
    # only where they cannot (every row already below the level, and still pinned down).
    assert table.overall.level <= finest(margin, k)


def _month(rows: list[list[int]], k: int):
    """Every figure a month's table publishes, in the audit's terms."""
    table = publish(dict(enumerate(rows)), k)
    margin = [sum(r[i] for r in rows) for i in range(5)]
    world = World(len(rows), 1, k)
    published = [shown(f"s{s}", [(s, 0)], row.level, rows[s]) for s, row in enumerate(table.rows)]
    everything = [(s, 0) for s in range(len(rows))]
    published.append(shown("all", everything, table.overall.level, margin))
    return world, published, cells_of({(s, 0): r for s, r in enumerate(rows)}, world)


@pytest.mark.slow  # 150 audits
@settings(max_examples=150, deadline=None)
@given(st.lists(small, min_size=1, max_size=5), st.sampled_from([3, 4, 5]))
def test_nothing_hidden_can_be_worked_out_from_a_month(rows, k):
    """No count under k, and no withheld split that all but agrees, can be worked out
    from a month's service rows and the board's month over all services."""
    assert leaks(*_month(rows, k)) == []


def _quarter(cells: dict, services: int, k: int, unpublished: set[int], late: int | None):
    """A quarter's service rows published with the last month's summary, the months over
    all services in their own summaries (some never, one possibly after the rows)."""
    months = [[sum(cells[(s, m)][i] for s in range(services)) for i in range(5)] for m in range(3)]
    levels = [
        Level.NONE if m in unpublished or m == late else finest(months[m], k) for m in range(3)
    ]
    rows = {s: [sum(cells[(s, m)][i] for m in range(3)) for i in range(5)] for s in range(services)}
    table = publish_rows(rows, k, list(zip(months, levels, strict=True)))
    if late is not None:
        shown_rows = [(rows[s], row.level) for s, row in enumerate(table.rows)]
        others = [(months[m], levels[m]) for m in range(3) if m != late]
        levels[late] = part_level(months[late], k, shown_rows, others)
    world = World(services, 3, k)
    published = [
        shown(f"s{s}", [(s, m) for m in range(3)], row.level, rows[s])
        for s, row in enumerate(table.rows)
    ]
    published += [
        shown(f"m{m}", [(s, m) for s in range(services)], levels[m], months[m]) for m in range(3)
    ]
    return world, published, cells_of(cells, world)


@pytest.mark.slow  # about a second an audit
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.data(), st.sampled_from([3, 5]))
def test_nothing_hidden_can_be_worked_out_from_a_quarter(services, data, k):
    """Service rows over a quarter, and the board's months over all services published
    apart: nothing a month or a service in a month held can be worked out either."""
    cells = {(s, m): data.draw(small) for s in range(services) for m in range(3)}
    unpublished = data.draw(st.sets(st.integers(0, 2), max_size=2))
    late = data.draw(st.one_of(st.none(), st.integers(0, 2)))
    assert leaks(*_quarter(cells, services, k, unpublished, late)) == []


# The audit catches what a weaker rule gives away ("seeded mutations"): each case below is
# a table that a rule without one of the checks publishes, and that leaks.

NAIVE_MONTH = [[5, 5, 5, 5, 5], [1, 0, 6, 0, 0]]  # the margin minus row 1 gives row 2
BOUNDS_MONTH = [[0, 6, 0, 4, 0], [0, 0, 6, 6, 6], [0, 0, 0, 0, 4], [0, 0, 6, 9, 4], [0, 0, 0, 4, 0]]
QUARTER = {(0, 0): [0, 1, 0, 0, 1], (0, 1): [0, 1, 2, 2, 2], (0, 2): [0, 0, 1, 0, 1]}


def test_the_audit_sees_what_a_month_without_secondary_suppression_gives_away():
    world, published, truth = _month(NAIVE_MONTH, 5)
    assert leaks(world, published, truth) == []
    naive = [
        shown(p.name, p.cells, finest(row, 5), row) if p.name != "all" else p
        for p, row in zip(published, [*NAIVE_MONTH, None], strict=True)
    ]
    assert any("exactly 1" in leak for leak in leaks(World(2, 1, 5), naive, truth))


def test_the_audit_sees_a_small_count_pinned_at_the_edge(monkeypatch):
    """Two rows of "<5" whose sum is 8: both held 4. Summing them passes the rule; only
    the check of what each could hold stops it."""
    assert leaks(*_month(BOUNDS_MONTH, 5)) == []
    monkeypatch.setattr(disclosure, "_pinned", lambda *args: False)
    assert any("exactly 4" in leak for leak in leaks(*_month(BOUNDS_MONTH, 5)))


def test_the_audit_sees_a_quarter_that_ignores_its_months(monkeypatch):
    assert leaks(*_quarter(QUARTER, 1, 3, set(), None)) == []
    monkeypatch.setattr(disclosure, "_parts_violation", lambda *args: None)
    assert any("exactly 2" in leak for leak in leaks(*_quarter(QUARTER, 1, 3, set(), None)))


def test_the_cascade():
    k = 5
    assert finest([0, 0, 5, 7, 0], k) is Level.FIVE
    assert finest([2, 3, 5, 7, 6], k) is Level.THREE  # 2 and 3 alone are too few: bad is 5
    assert finest([2, 2, 1, 7, 6], k) is Level.TWO  # the rest: 5, good: 13
    assert finest([2, 2, 0, 7, 6], k) is Level.COUNT  # the rest, 4, is too few
    assert finest([0, 0, 0, 13, 0], k) is Level.COUNT  # everyone said good
    # Split between good and very good, but everyone said one or the other: no split shows
    # it, the five ratings included.
    assert finest([0, 0, 0, 7, 6], k) is Level.COUNT
    assert finest([0, 0, 5, 7, 6], k) is Level.FIVE
    assert finest([1, 0, 0, 0, 2], k) is Level.SMALL
    assert finest([0, 0, 0, 0, 0], k) is Level.FIVE  # nobody: nothing to protect


def test_a_typical_month():
    table = publish(
        {"clinic": [0, 0, 5, 7, 0], "school": [1, 0, 0, 0, 6], "shelter": [0, 0, 0, 6, 0]}, k=5
    )
    clinic, school, shelter = table.rows
    # The board's month shows good or very good against the rest: 19 of 25.
    assert table.overall.level is Level.TWO and table.overall.shares == (6, 19)
    assert table.overall.percents == (24, 76) and table.overall.good == 19
    # School and shelter show their number only; their sum at that level (1 against 12)
    # would be read from the month minus clinic, so clinic gives way to a number too.
    assert [r.level for r in table.rows] == [Level.COUNT] * 3
    assert (clinic.total.value, school.total.value, shelter.total.value) == (12, 7, 6)


def test_rows_keep_their_split_when_the_rest_passes():
    table = publish({"clinic": [0, 0, 5, 7, 5], "school": [5, 0, 0, 5, 6]}, 5)
    clinic, school = table.rows
    assert clinic.level is Level.FIVE and clinic.median == 4.0
    assert school.level is Level.FIVE and table.overall.level is Level.FIVE


def test_a_unanimous_row_is_not_given_away_by_its_neighbours():
    """x: six children, all "good". With the month's five ratings and school's three
    groups, x's "good" would be 17 - 11 = 6: all of x. The rows give way until it is not."""
    rows = [[0, 0, 5, 7, 5], [5, 0, 0, 5, 6], [0, 0, 0, 6, 0]]
    table = publish(dict(enumerate(rows)), 5)
    assert table.overall.level.split and table.rows[2].level is Level.COUNT
    assert leaks(*_month(rows, 5)) == []


def test_small_counts_read_fewer_than_k():
    table = publish({"clinic": [1, 1, 0, 0, 0]}, k=5)
    assert describe(table.rows[0].total, 5) == "<5"
    assert describe(table.rows[0].counts[0], 5) == "-"
    assert describe(table.overall.total, 5) == "<5"  # the board's month is that one row


def test_a_withheld_row_reads_not_shown_never_small():
    table = publish({"a": [0, 0, 5, 5, 5], "b": [0, 0, 0, 0, 2], "c": [0, 0, 3, 3, 0]}, k=5)
    a, b, c = table.rows
    assert describe(b.total, 5) == "<5"
    assert {a.level, c.level} & {Level.NONE, Level.SMALL}  # one gives way, to protect b
    hidden = next(r for r in (a, c) if not r.total.shown)
    assert describe(hidden.total, 5) == "-"


@pytest.mark.parametrize("k", [0, 1, 2])
def test_k_below_three_is_refused(k):
    with pytest.raises(ValueError):
        publish({"x": [5, 5, 5, 5, 5]}, k)


def test_bad_rows_are_refused():
    with pytest.raises(ValueError):
        publish({"x": [1, 2, 3]}, 5)
    with pytest.raises(ValueError):
        publish({"x": [1, 2, 3, 4, -1]}, 5)
    with pytest.raises(ValueError):
        publish_rows({"x": [1, 2, 3, 4, 5]}, 5, [([1, 1, 1, 1, 1], Level.FIVE)])


def test_fifteen_very_bad_is_not_published_as_a_hundred_percent():
    """The attack: all 15 children of a service said "very bad", published as 100 %."""
    table = publish({"clinic": [15, 0, 0, 0, 0]}, k=5)
    row = table.rows[0]
    assert row.total.value == 15  # how many rated it says nothing about what they said
    assert row.level is Level.COUNT and row.median is None and row.percents == ()
    assert table.overall.level is Level.COUNT and table.overall.median is None
    # All but one, at any size, at every level.
    assert finest([0, 0, 0, 1, 199], 5) is Level.COUNT
    assert finest([0, 0, 0, 5, 195], 5) is Level.COUNT  # everyone good or very good
    assert finest([0, 0, 5, 5, 190], 5) is Level.FIVE


# Unanimity in votes (rule 16; issue 13, item 10). The observer knows every published
# figure, k, the number of dots and, the worst case, the exact number of voters (the
# attendance bounds it). A child's answer: an action's tick (yes or no), or the dots given
# to an action. The observer "knows" that everyone, or all but one, gave answer c when
# every tally publishing the same figures says so.


def _all_but_one_at_most(values: list[int], c: int) -> bool:
    """Whether these children's answers fail to make c everyone's, or all but one's."""
    return values.count(c) < len(values) - 1


def _view(places):
    """What a reader sees of a vote, in an order that does not depend on ties."""
    if places is None:
        return None
    return tuple(sorted((p.key, p.rank, p.points.value) for p in places))


def _tallies(options: int, voters: int, dots: int | None):
    """Every tally a vote of this many voters could end with."""
    most = voters * (dots or 1)
    for points in itertools.product(range(most + 1), repeat=options):
        if dots is None or sum(points) <= most:
            yield points


@functools.cache
def _dot_splits(total: int, voters: int, dots: int) -> tuple[tuple[int, ...], ...]:
    """The ways ``voters`` children can give one action ``total`` dots, as sorted tuples."""
    return tuple(
        split
        for split in itertools.combinations_with_replacement(range(dots + 1), voters)
        if sum(split) == total
    )


def _could_disagree(points: int, voters: int, dots: int | None, answer: int) -> bool:
    """Whether ``points`` for one action allow more than one child not giving ``answer``.
    Any tally whose sum is in reach can be shared out among the other actions, so one
    action's total can be looked at alone."""
    if dots is None:
        ticks = [1] * points + [0] * (voters - points)
        return _all_but_one_at_most(ticks, answer)
    return any(
        _all_but_one_at_most(list(split), answer) for split in _dot_splits(points, voters, dots)
    )


votes = st.tuples(
    st.integers(2, 4),  # actions
    st.integers(3, 8),  # voters
    st.sampled_from([None, None, 1, 2, 3]),  # None: approval; else dots per child
    thresholds,
)


@settings(max_examples=150, deadline=None)
@given(votes, st.data())
def test_no_vote_tells_how_every_child_or_all_but_one_voted(vote, data):
    options, voters, dots, k = vote
    if dots is not None or options == 4:  # keeps the brute force small
        voters = min(voters, 6)
    if dots is not None:
        options = min(options, 3)
    possible = list(_tallies(options, voters, dots))
    points = data.draw(st.sampled_from(possible))
    names = "ABCD"[:options]
    seen = _view(publish_votes(dict(zip(names, points, strict=True)), voters, k, dots))
    same = [
        other
        for other in possible
        if _view(publish_votes(dict(zip(names, other, strict=True)), voters, k, dots)) == seen
    ]
    for i in range(options):
        for answer in range((dots or 1) + 1):
            assert any(_could_disagree(other[i], voters, dots, answer) for other in same), (
                names[i],
                answer,
                seen,
            )
    if seen is not None:
        for _key, _rank, value in seen:
            assert value is None or k <= value <= voters * (dots or 1) - k


def test_six_of_six_approving_is_not_published():
    """The attack: approvals 6 of 6, attendance 6, told partners how every child voted."""
    places = publish_votes({"Sundays": 6, "Interpreter": 3}, voters=6, k=5)
    assert places is not None and all(not p.points.shown for p in places)
    assert not any(p.points.small for p in places)  # "-" for all: no end is told
    for unanimous_count in (0, 1, 5, 6):
        places = publish_votes({"A": unanimous_count, "B": 3}, voters=6, k=3)
        assert places is None or all(not p.points.shown for p in places)


def test_approval_counts_show_where_both_sides_hold_k():
    places = publish_votes({"A": 7, "B": 5}, voters=12, k=5)
    assert [(p.key, p.rank, p.points.value) for p in places] == [("A", 1, 7), ("B", 2, 5)]
    # 8 of 12 tick B: only 4 did not, fewer than k: nothing is shown for any action.
    places = publish_votes({"A": 7, "B": 8}, voters=12, k=5)
    assert [(p.key, p.rank, p.points.value) for p in places] == [("B", 1, None), ("A", 2, None)]


def test_a_strict_order_of_a_small_vote_is_not_published():
    """Three voters ranking four actions strictly: the counts can only be 3, 2, 1, 0."""
    assert publish_votes({"A": 3, "B": 2, "C": 1, "D": 0}, voters=3, k=3) is None
    assert publish_votes({"A": 3, "B": 2, "C": 1, "D": 0}, voters=4, k=3) is None


def test_dots_show_when_no_action_got_all_or_none():
    places = publish_votes({"A": 14, "B": 11}, voters=5, k=5, dots=5)
    assert [p.points.value for p in places] == [14, 11]
    # Nobody gave B a dot: the points and even the order are withheld.
    assert publish_votes({"A": 20, "B": 0}, voters=5, k=5, dots=5) is None


# A published "<k" keeps the k it was published with (issue 13, item 9). Today's k read
# into a "<5" published last month would turn it into "<3" once the board lowered its k,
# telling every reader that the count was 3 or 4.


def test_a_published_fewer_than_k_keeps_its_k(app, client, auth, session, make):
    from board.api import services as tokens
    from board.auth.models import Role
    from board.summaries.models import ItemKind, SummaryItem

    city = make.organisation(name="City hall")
    board = make.board(name="Tirana", partners=[city], threshold_k=5)
    clinic = make.service(board, name="Clinic")
    school = make.service(board, name="School")
    make.held(board, date(2030, 1, 9), {clinic: [4, 4, 5], school: [2] * 5 + [4] * 5}, attendance=4)
    summary = make.summary(board, date(2030, 1, 1), publish=True)
    # An action's points published as "<5" under the rules of the time.
    session.add(
        SummaryItem(
            summary=summary, kind=ItemKind.ACTION, text="Lockers", rank=1, points_small=True
        )
    )
    partner = make.user(Role.PARTNER, organisation=city)
    _token, secret = tokens.create_token(session, make.user(Role.ADMINISTRATOR), city, "BI")
    board.threshold_k = 3
    session.commit()
    assert summary.threshold_k == 5

    auth.as_user(partner)
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert page.count("&lt;5") >= 3 and "&lt;3" not in page  # clinic, attendance, points
    assert "fewer than 5 children" in page and "fewer than 3" not in page
    exported = client.get(f"/summaries/{summary.id}.csv").get_data(as_text=True)
    header, rows = csv_table(exported, "ratings")
    clinic_row = next(r for r in rows if r[0] == "Clinic")
    assert clinic_row[header.index("ratings")] == "<5" and "<3" not in exported
    for document in (
        client.get(f"/summaries/{summary.id}.json").json,
        client.get(
            f"/api/v1/summaries/{summary.id}", headers={"Authorization": f"Bearer {secret}"}
        ).json,
    ):
        assert document["threshold"] == 5
        assert document["attendance"] == "<5"
        assert document["services"][0]["ratings"] == "<5"
        assert [i["points"] for i in document["items"] if i["kind"] == "action"] == ["<5"]
        assert "<3" not in json.dumps(document)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "&lt;3" not in dashboard and "fewer than 3" not in dashboard
    # A draft still follows the board's k of today.
    make.held(board, date(2030, 2, 9), {clinic: [4, 4]})
    draft = make.summary(board, date(2030, 2, 1))
    facilitator = make.user(Role.FACILITATOR, board)
    session.commit()
    assert draft.k == 3
    # Its page compares with January's figures as published: "<5" then, so no change.
    auth.as_user(facilitator)
    page = client.get(f"/summaries/{draft.id}").get_data(as_text=True)
    assert "not comparable: too few ratings then to compare" in page
