"""Disclosure control, property-based: over random tables, no published figure rests on
fewer than k children, no hidden count can be worked out from what is published, and no
published view tells that everyone, or all but one, gave the same answer (rule 16)."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from board.disclosure import MIN_K, describe, publish, publish_votes, unanimous

# Small groups are where disclosure happens: many counts are 0, 1 or 2. Large ones are
# where unanimity was let through ("15 of 15 said very bad"): some counts are large.
cell = st.one_of(st.just(0), st.integers(0, 2), st.integers(0, 14), st.integers(15, 60))
counts = st.lists(cell, min_size=5, max_size=5)
tables = st.dictionaries(st.sampled_from("ABCDEF"), counts, min_size=1, max_size=5)
thresholds = st.integers(min_value=MIN_K, max_value=7)


def shown_values(table):
    for row in table.rows:
        yield row.total
        yield from row.counts
    yield table.total
    yield from table.counts


@settings(max_examples=400, deadline=None)
@given(tables, thresholds)
def test_no_published_figure_rests_on_fewer_than_k(rows, k):
    table = publish(rows, k)
    for figure in shown_values(table):
        if figure.shown:
            assert figure.value == 0 or figure.value >= k
    for row, raw in zip(table.rows, rows.values(), strict=True):
        assert row.distribution_shown or not any(f.shown for f in row.counts)
        for percent, count in zip(row.percents, raw, strict=True):
            if percent is not None:
                assert count >= k and sum(raw) >= k
        if row.median is not None:
            assert sum(raw) >= k
        if row.distribution_shown and sum(raw):
            assert max(raw) < sum(raw) - 1  # no group, of any size, that all but agrees
    if all(f.shown for f in table.counts) and table.total.value:
        assert max(f.value for f in table.counts) < table.total.value - 1


def _variants(rows):
    """Tables that differ by one child's answer: moved to another rating, added or removed."""
    for key, raw in rows.items():
        for i in range(5):
            for j in range(5):
                if i != j and raw[i] > 0:
                    moved = list(raw)
                    moved[i] -= 1
                    moved[j] += 1
                    yield key, i, {**rows, key: moved}
            for step in (1, -1):
                if raw[i] + step >= 0:
                    changed = list(raw)
                    changed[i] += step
                    yield key, i, {**rows, key: changed}


@pytest.mark.slow  # 300 examples
@settings(max_examples=300, deadline=None)
@given(tables, thresholds)
def test_no_hidden_count_can_be_worked_out(rows, k):
    """For every hidden count there is another table, published identically, in which that
    count differs: so what is published cannot pin it down."""
    table = publish(rows, k)
    alternatives = [(key, i, publish(v, k), v) for key, i, v in _variants(rows)]
    same = [(key, i, v) for key, i, published, v in alternatives if published == table]
    month = [sum(r[i] for r in rows.values()) for i in range(5)]
    for row, (key, raw) in zip(table.rows, rows.items(), strict=True):
        for i, figure in enumerate(row.counts):
            if not figure.shown:
                assert any(v[key][i] != raw[i] for _k, _i, v in same), (key, i)
        if not row.total.shown:
            assert any(sum(v[key]) != sum(raw) for _k, _i, v in same), key
    for i, figure in enumerate(table.counts):
        if not figure.shown:
            assert any(sum(r[i] for r in v.values()) != month[i] for _k, _i, v in same), i
    if not table.total.shown:
        assert any(sum(map(sum, v.values())) != sum(month) for _k, _i, v in same)


def test_a_typical_month():
    table = publish(
        {"clinic": [0, 0, 5, 7, 0], "school": [1, 0, 0, 0, 6], "shelter": [0, 0, 0, 6, 0]}, k=5
    )
    clinic, school, shelter = table.rows
    assert [f.value for f in clinic.counts] == [0, 0, 5, 7, 0]
    assert clinic.percents == (None, None, 42, 58, None) and clinic.median == 4.0
    assert school.total.value == 7 and not school.distribution_shown
    assert shelter.total.value == 6 and not shelter.distribution_shown  # all the same
    assert table.total.value == 25  # every row total is shown
    assert not any(f.shown for f in table.counts)  # a row is hidden: the month is too


def test_small_counts_read_fewer_than_k():
    table = publish({"clinic": [1, 1, 0, 0, 0]}, k=5)
    assert describe(table.rows[0].total, 5) == "<5"
    assert describe(table.rows[0].counts[0], 5) == "-"
    assert describe(table.total, 5) == "-"  # withheld, and not said to be small


@pytest.mark.parametrize("k", [0, 1, 2])
def test_k_below_three_is_refused(k):
    with pytest.raises(ValueError):
        publish({"x": [5, 5, 5, 5, 5]}, k)


def test_bad_rows_are_refused():
    with pytest.raises(ValueError):
        publish({"x": [1, 2, 3]}, 5)
    with pytest.raises(ValueError):
        publish({"x": [1, 2, 3, 4, -1]}, 5)


# Unanimity (rule 16; issue 13, item 10). The observer knows every published figure, k,
# the number of dots and, the worst case, the exact number of voters (the attendance
# bounds it). A child's answer: a rating; an action's tick (yes or no); the dots given to
# an action. The observer "knows" that everyone, or all but one, gave answer c when every
# table publishing the same figures says so.


def _all_but_one_at_most(values: list[int], c: int) -> bool:
    """Whether these children's answers fail to make c everyone's, or all but one's."""
    return values.count(c) < len(values) - 1


def _alternative_rows(raw: list[int], figure, k: int):
    """Rows a hidden distribution could stand for: totals the published total allows, with
    everyone in one rating, or split 2 and the rest."""
    totals = [sum(raw)] if figure.total.shown else range(1, k)
    for total in totals:
        for rating in range(5):
            row = [0] * 5
            row[rating] = total
            yield row
            if total >= 2:
                for other in range(5):
                    if other != rating:
                        split = [0] * 5
                        split[rating], split[other] = total - 2, 2
                        yield split


@pytest.mark.slow  # 300 examples
@settings(max_examples=300, deadline=None)
@given(tables, thresholds)
def test_no_rating_table_tells_that_everyone_or_all_but_one_agreed(rows, k):
    table = publish(rows, k)
    for row, (key, raw) in zip(table.rows, rows.items(), strict=True):
        if row.distribution_shown:
            assert not sum(raw) or not unanimous(raw)
            continue
        alternatives = [
            alt for alt in _alternative_rows(raw, row, k) if publish({**rows, key: alt}, k) == table
        ]
        for rating in range(5):
            # Some table that publishes the same has this service's group not (all but)
            # agreeing on this rating, so nobody can be sure that it did.
            assert any(alt[rating] < sum(alt) - 1 for alt in alternatives), (key, rating)


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


def test_fifteen_very_bad_is_not_published_as_a_hundred_percent():
    """The attack: all 15 children of a service said "very bad", published as 100 %."""
    table = publish({"clinic": [15, 0, 0, 0, 0]}, k=5)
    row = table.rows[0]
    assert row.total.value == 15  # how many rated it says nothing about what they said
    assert not row.distribution_shown and row.median is None
    assert row.percents == (None,) * 5
    assert not any(f.shown for f in table.counts) and table.median is None
    # All but one, at any size.
    assert not publish({"clinic": [0, 0, 0, 1, 199]}, k=5).rows[0].distribution_shown
    assert publish({"clinic": [0, 0, 0, 5, 195]}, k=5).rows[0].distribution_shown


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
    clinic_row = next(r for r in csv.reader(io.StringIO(exported)) if r[2] == "Clinic")
    assert clinic_row[3] == "<5" and "<3" not in exported
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
    # Its page compares with January's figures, which keep January's k.
    auth.as_user(facilitator)
    page = client.get(f"/summaries/{draft.id}").get_data(as_text=True)
    assert "ratings then: &lt;5" in page
