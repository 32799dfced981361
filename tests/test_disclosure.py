"""Disclosure control, property-based: over random tables, no published figure rests on
fewer than k children, and no hidden count can be worked out from what is published."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from board.disclosure import MIN_K, describe, publish

# Small groups are where disclosure happens: many counts are 0, 1 or 2.
cell = st.one_of(st.just(0), st.integers(0, 2), st.integers(0, 14))
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
        if row.distribution_shown and 0 < sum(raw) < 3 * k:
            assert max(raw) < sum(raw) - 1  # no small group that all but agrees


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


# A published "<k" keeps the k it was published with (issue 13, item 9). Today's k read
# into a "<5" published last month would turn it into "<3" once the board lowered its k,
# telling every reader that the count was 3 or 4.


def test_a_published_fewer_than_k_keeps_its_k(app, client, auth, session, make):
    from board.api import services as tokens
    from board.auth.models import Role
    from board.summaries import services
    from board.summaries.models import ItemKind, SummaryItem

    city = make.organisation(name="City hall")
    board = make.board(name="Tirana", partners=[city], threshold_k=5)
    clinic = make.service(board, name="Clinic")
    school = make.service(board, name="School")
    make.held(board, date(2030, 1, 9), {clinic: [4, 4, 5], school: [2] * 5 + [4] * 5}, attendance=4)
    with app.app_context():
        summary = services.start_summary(session, None, board, date(2030, 1, 1))
        services.publish(session, None, summary)
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
    draft = services.start_summary(session, None, board, date(2030, 2, 1))
    facilitator = make.user(Role.FACILITATOR, board)
    session.commit()
    assert draft.k == 3
    # Its page compares with January's figures, which keep January's k.
    auth.as_user(facilitator)
    page = client.get(f"/summaries/{draft.id}").get_data(as_text=True)
    assert "ratings then: &lt;5" in page
