"""The audit log as people use it: links to records, filters, CSV export, one reading one entry."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from board.admin import audit as audit_links
from board.audit.models import AuditEntry
from board.audit.queries import PAGE_SIZE
from board.audit.services import READING_WINDOW
from board.meetings.models import Meeting
from board.moderation.models import Concern
from tests.conftest import FIXED_NOW


def _entry(session, action="board.update", target_type="board", target_id=None, **kw):
    entry = AuditEntry(action=action, target_type=target_type, target_id=target_id, **kw)
    session.add(entry)
    return entry


def _rows(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0]


def _entries(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def args(world):
    """Rows in nearly every table (``World.every_table``)."""
    return world.every_table()


@pytest.fixture(autouse=True)
def at_the_suites_instant():
    """Each test starts at the suite's instant (its clock ticks on from there): what it
    checks ("since 10:30", "2 minutes ago", a reading window) is measured from it, however
    long the run has been going."""
    with time_machine.travel(FIXED_NOW, tick=True):
        yield


def test_each_entry_links_to_its_record(client, auth, session, world, args):
    meeting = session.get(Meeting, args["meeting_id"])
    targets = {
        "concern": (args["concern_id"], f"/concerns/{args['concern_id']}"),
        "meeting": (args["meeting_id"], f"/meetings/{args['meeting_id']}"),
        "helpcall": (args["call_id"], f"/meetings/{args['meeting_id']}"),
        "summary": (args["summary_id"], f"/summaries/{args['summary_id']}"),
        "response": (args["response_id"], f"/summaries/{args['summary_id']}"),
        "user": (world.lead.id, f"/admin/accounts/{world.lead.id}"),
        "board": (world.board.id, f"/admin/boards/{world.board.id}"),
        "service": (world.service.id, f"/admin/services/{world.service.id}"),
        "organisation": (world.org.id, f"/admin/organisations/{world.org.id}"),
        "action": (args["action_id"], f"/actions/{args['action_id']}"),
        "apitoken": (args["token_id"], f"/admin/organisations/{world.org.id}/tokens"),
        "feedback": (args["item_id"], f"/boards/{world.board.id}/moderation"),
        "meetingseries": (meeting.series_id, f"/boards/{world.board.id}/meetings"),
    }
    for kind, (target_id, _url) in targets.items():
        _entry(session, target_type=kind, target_id=target_id, detail=f"about-{kind}")
    # A record since deleted, and a kind of record the log does not know (yet).
    _entry(session, target_type="concern", target_id=999_999, detail="deleted")
    _entry(session, action="concern.note", target_type="concernnote", target_id=1, detail="new")
    session.commit()
    auth.as_user(world.admin)
    response = client.get("/admin/audit")
    assert response.status_code == 200
    rows = _rows(response.get_data(as_text=True)).split("<tr>")
    for kind, (_target_id, url) in targets.items():
        (row,) = [r for r in rows if f">about-{kind}<" in r]
        assert f'href="{url}"' in row, kind
    for detail in ("deleted", "new"):
        (row,) = [r for r in rows if f">{detail}<" in r]
        assert "<td><a href" not in row.split("</td>", 3)[3]  # no link on the record


def test_a_link_only_where_the_reader_may_open_the_record(app, session, world, args):
    concern = _entry(session, target_type="concern", target_id=args["concern_id"])
    meeting = _entry(session, target_type="meeting", target_id=args["meeting_id"])
    summary = _entry(session, target_type="summary", target_id=args["summary_id"])
    account = _entry(session, target_type="user", target_id=world.lead.id)
    session.commit()
    entries = [concern, meeting, summary, account]
    with app.test_request_context():

        def linked(person) -> set[int]:
            return set(audit_links.links(session, person, entries))

        assert linked(world.admin) == {concern.id, meeting.id, summary.id, account.id}
        assert linked(world.facilitator) == {meeting.id, summary.id}
        assert linked(world.lead) == {concern.id}
        assert linked(world.partner) == {summary.id}  # the summary was published to them
        assert linked(world.other_facilitator) == set()


def test_filters_by_day_in_the_boards_zone_board_person_and_action(client, auth, session, world):
    # 22:30 UTC on 19 June is 00:30 on 20 June in Tirana (UTC+2 in summer).
    late = datetime(2026, 6, 19, 22, 30, tzinfo=UTC)
    _entry(session, at=late, board_id=world.board.id, detail="late-evening")
    _entry(session, at=late - timedelta(days=3), board_id=world.board.id, detail="days-before")
    _entry(session, at=late, board_id=world.other_board.id, detail="other-board")
    _entry(session, at=late, actor_id=world.lead.id, action="concern.view", detail="by-lead")
    session.commit()
    auth.as_user(world.admin)

    def shown(**query) -> str:
        response = client.get("/admin/audit", query_string=query)
        assert response.status_code == 200
        return _rows(response.get_data(as_text=True))

    in_tirana = shown(start="2026-06-20", end="2026-06-20", board=world.board.id)
    assert "late-evening" in in_tirana and "days-before" not in in_tirana
    assert "other-board" not in in_tirana
    in_utc = shown(start="2026-06-20", end="2026-06-20")
    assert "late-evening" not in in_utc
    assert "late-evening" in shown(end="2026-06-19")
    page = client.get("/admin/audit", query_string={"board": world.board.id}).get_data(True)
    assert "Europe/Tirane" in page  # which zone the days are counted in is said
    assert "midnight UTC" in client.get("/admin/audit").get_data(as_text=True)
    by_lead = shown(actor=world.lead.id)
    assert "by-lead" in by_lead and "late-evening" not in by_lead
    viewed = shown(action="concern.view")
    assert "by-lead" in viewed and "other-board" not in viewed


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13-40"}, "Not a valid date value."),
        # The ends of the calendar are no instant in every zone: refused at the field.
        ({"end": "9999-12-31"}, "Choose a day between 1970-01-01 and 9998-12-31."),
        ({"start": "0001-01-01"}, "Choose a day between 1970-01-01 and 9998-12-31."),
        ({"start": "2026-06-20", "end": "2026-06-01"}, "The last day comes before the first."),
        ({"board": "abc"}, "Not a valid choice."),
        ({"actor": "-3"}, "Not a valid choice."),
        ({"action": "x" * 500}, "Not a valid choice."),
    ],
)
def test_bad_filters_are_refused_with_a_message(client, auth, world, query, message):
    auth.as_user(world.admin)
    response = client.get("/admin/audit", query_string=query)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "<tbody>" not in page
    for name in ("start", "end"):
        if name in query:
            assert f'value="{query[name]}"' in page  # kept as typed
    assert client.get("/admin/audit.csv", query_string=query).status_code == 400


def test_pages_of_fifty_keep_the_filters(client, auth, session, world):
    for n in range(PAGE_SIZE + 1):
        _entry(session, board_id=world.board.id, detail=f"entry-{n}")
    _entry(session, board_id=world.other_board.id, detail="elsewhere")
    session.commit()
    auth.as_user(world.admin)
    first = client.get("/admin/audit", query_string={"board": world.board.id}).get_data(True)
    assert _rows(first).count("<tr>") == PAGE_SIZE
    assert f"/admin/audit?page=2&amp;board={world.board.id}" in first
    second = client.get(f"/admin/audit?board={world.board.id}&page=2").get_data(as_text=True)
    assert _rows(second).count("<tr>") == 1 and "elsewhere" not in second
    assert client.get("/admin/audit?page=zero").status_code == 200
    # A page number too long to read, or in other digits, is the first page too.
    for page in ("9" * 5000, "\u0661", "\u00b2"):
        assert client.get("/admin/audit", query_string={"page": page}).status_code == 200


def test_csv_export_is_filtered_injection_safe_and_audited(client, auth, session, world):
    world.admin.name = '=HYPERLINK("http://evil.example","admin")'
    world.board.name = "+cmd|' /C calc'!A0"
    _entry(session, board_id=world.board.id, actor_id=world.admin.id, detail="@SUM(1+1)")
    _entry(session, board_id=world.other_board.id, detail="other-board")
    session.commit()
    auth.as_user(world.admin)
    response = client.get("/admin/audit.csv", query_string={"board": world.board.id})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "when (UTC)" and len(rows) == 2
    cells = [cell for row in rows for cell in row]
    assert "'@SUM(1+1)" in cells and "other-board" not in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    (export,) = _entries(session, "audit.export")
    assert export.actor_id == world.admin.id
    assert f"board={world.board.id}" in export.detail and export.detail.endswith("; 1")
    assert "Exported the audit log" in client.get("/admin/audit").get_data(as_text=True)


def test_csv_export_is_for_administrators_only(client, auth, session, world):
    for person in (world.facilitator, world.lead, world.partner):
        auth.as_user(person)
        assert client.get("/admin/audit.csv").status_code == 403
    assert not _entries(session, "audit.export")


def test_one_reading_of_a_concern_is_one_entry(client, auth, session, world, args):
    """A lead opened a concern, acknowledged it, tried to close it without a note and
    looked again: five "Read a safeguarding concern" entries for one reading."""
    concern_id = args["concern_id"]
    auth.as_user(world.lead)
    assert client.get(f"/concerns/{concern_id}").status_code == 200
    client.post(f"/concerns/{concern_id}/acknowledge", follow_redirects=True)
    assert client.post(f"/concerns/{concern_id}/close", data={"note": ""}).status_code == 400
    client.get(f"/concerns/{concern_id}")
    client.head(f"/concerns/{concern_id}")
    assert len(_entries(session, "concern.view")) == 1
    # Another person's reading is theirs; the lead's reading later on is another.
    auth.as_user(world.admin)
    client.get(f"/concerns/{concern_id}")
    auth.as_user(world.lead)
    with time_machine.travel(FIXED_NOW + READING_WINDOW + timedelta(minutes=1)):
        client.get(f"/concerns/{concern_id}")
    views = _entries(session, "concern.view")
    assert [v.actor_id for v in views] == [world.lead.id, world.admin.id, world.lead.id]
    assert {v.target_id for v in views} == {concern_id}
    assert session.get(Concern, concern_id) is not None


def test_every_kind_of_link_names_a_record_and_a_page(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for kind, link in audit_links.LINKS.items():
        assert audit_links._model(kind).__name__.lower() == kind
        assert link.endpoint in endpoints, kind
