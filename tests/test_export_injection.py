"""CSV exports open in spreadsheets: no cell may start a formula, whoever typed the name."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import compose

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


@pytest.fixture
def world(make):
    """City hall's March 2030 (``Factory.rated_month``), with a Clinic and a School."""
    return make.rated_month(make.world(languages="en sq", threshold_k=5))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_no_csv_cell_starts_a_formula(client, auth, session, world, prefix):
    board, people = world.board, world.people
    board.name = f'{prefix}HYPERLINK("http://evil.example","board")'
    board.services[0].name = f"{prefix}cmd|' /C calc'!A0"
    board.services[1].name = f"{prefix}1+1"
    session.commit()
    summary, _ = compose(client, auth, session, board, people)
    text = client.get(f"/summaries/{summary.id}.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert f"'{prefix}1+1" in cells
    dangerous = [c for c in cells if c[:1] in PREFIXES and c != "-"]
    assert not dangerous, dangerous


def test_no_workbook_cell_is_a_formula(client, auth, session, world):
    from openpyxl import load_workbook

    board, people = world.board, world.people
    board.services[0].name = '=HYPERLINK("http://evil.example","clinic")'
    session.commit()
    summary, _ = compose(client, auth, session, board, people)
    answer = client.get(f"/summaries/{summary.id}.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == [
        "summary",
        "ratings",
        "votes",
        "attendance",
        "findings",
        "recommendations",
        "quotes",
        "answers",
    ]
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert '=HYPERLINK("http://evil.example","clinic")' in [c.value for c in cells]


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_formula_after_a_separator_a_spreadsheet_splits_on_is_neutralised(separator):
    """In Polish, Romanian, Bulgarian, Albanian and Serbian Excel the list separator is ";",
    and a tab-separated import splits on tabs: every cell is quoted, and a piece that would
    start a formula after such a separator starts with an apostrophe instead."""
    from board.summaries.export import to_csv

    words = f"help me{separator}=HYPERLINK(B2){separator}+1{separator}-2{separator}ok"
    text = to_csv([["name", "words"], ["Clinic", words]])
    assert text.splitlines()[1] == (
        f'"Clinic","help me{separator}\'=HYPERLINK(B2){separator}\'+1{separator}\'-2{separator}ok"'
    )
    for piece in text.replace('"', "").replace(",", separator).split(separator):
        assert piece[:1] not in ("=", "+", "-", "@"), piece
