"""Everything a child reads exists in their language, or says so (issue 17, item 2): one rule
picks the wording a child reads (their language, then the board's, then as entered, never
English unless it is offered); a service's names per language on the administrator's and the
facilitator's forms; the missing-wordings page; the warning before a meeting opens; the
benchmark's shares."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bench import wordings as bench
from board.actions.models import ActionStatus
from board.audit.models import AuditEntry
from board.auth.models import Role
from board.boards.models import Board, Service
from board.summaries.models import (
    ItemKind,
    Response,
    ResponseStatus,
    Summary,
    SummaryItem,
    SummaryState,
)
from board.wording import child_wording, clean_wordings, has_wording
from board.wordings import queries
from tests import factories

# The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "language", "board_languages", "expected"),
    [
        # the child's own language first
        ({"sq": "Klinika", "ar": "العيادة"}, "ar", ["sq", "ar"], "العيادة"),
        # else the board's own language (its first), not the English one beside it
        ({"sq": "Klinika", "en": "Clinic"}, "ar", ["sq", "en", "ar"], "Klinika"),
        # English only where the child reads English
        ({"sq": "Klinika", "en": "Clinic"}, "en", ["sq", "en", "ar"], "Clinic"),
        # English is never a fallback of its own where the board does not offer it
        ({"en": "Clinic wording"}, "ar", ["sq", "ar"], "Health centre 3"),
        # nothing in the child's nor the board's language: as entered
        ({"bg": "Клиника"}, "ar", ["sq", "ar"], "Health centre 3"),
        # blanks are no wording
        ({"ar": "  ", "sq": ""}, "ar", ["sq", "ar"], "Health centre 3"),
        (None, "sq", ["sq"], "Health centre 3"),
    ],
)
def test_the_wording_a_child_reads(texts, language, board_languages, expected):
    assert child_wording(texts, language, board_languages, "Health centre 3") == expected


def test_an_original_written_in_a_language_is_its_wording():
    # An action's title written in Albanian is the Albanian wording; an Arabic child on an
    # Albanian board reads it, an English wording beside it notwithstanding.
    assert child_wording({"en": "Open"}, "ar", ["sq", "en", "ar"], "Hapur", "sq") == "Hapur"
    assert child_wording({"sq": "Hapur!"}, "sq", ["sq"], "Hapur", "sq") == "Hapur!"
    assert has_wording({}, "sq", "Hapur", "sq") and not has_wording({}, "ar", "Hapur", "sq")


def test_saved_wordings_keep_other_languages_and_drop_blanks():
    kept = {"bg": "Клиника", "sq": "E vjetër"}
    typed = {"sq": "  Klinika ", "ar": " "}
    assert clean_wordings(typed, kept, ["sq", "ar"]) == {"bg": "Клиника", "sq": "Klinika"}


def test_actions_and_answers_follow_the_same_rule(session, make):
    board = make.board(languages="sq en ar")
    action = make.action(
        board,
        "Open on Sundays",
        language="en",
        status=ActionStatus.DONE,
        outcome="Open now",
        outcome_reason="Paid",
        child_texts={"sq": {"title": "Hapur të dielën", "outcome": "Tani është hapur"}},
    )
    # Arabic: neither written; the board's Albanian, not the English title.
    assert action.for_children("ar") == ("Hapur të dielën", "Tani është hapur")
    # English: the title is written in English; the outcome, in no language anyone
    # recorded, is not an English wording: the board's Albanian one.
    assert action.for_children("en") == ("Open on Sundays", "Tani është hapur")
    response = _answer(session, make, board, {"en": "We will.", "ar": "سنفعل."})
    assert response.for_children("ar") == "سنفعل."
    # No Albanian wording, the board's own: the first approved one in the board's order.
    assert response.for_children("sq") == "We will."
    assert _answer(session, make, board, {"ar": "فقط"}).for_children("sq") == "فقط"


def _answer(session, make, board, texts: dict) -> Response:
    """A partner's answer approved for children in ``texts``, on a summary of a month of
    its own."""
    org = make.organisation()
    months = session.scalar(sa.select(sa.func.count()).select_from(Summary))
    summary = Summary(
        board=board,
        month=date(2030, 1 + months, 1),
        state=SummaryState.PUBLISHED,
        threshold_k=board.threshold_k,
    )
    item = SummaryItem(kind=ItemKind.RECOMMENDATION, text="Do it")
    summary.items.append(item)
    session.add(summary)
    response = Response(
        item=item,
        organisation_id=org.id,
        status=ResponseStatus.ACCEPTED,
        what="We will do it",
        child_texts=texts,
        approved_for_children=True,
    )
    session.add(response)
    session.flush()
    return response


# What children see --------------------------------------------------------------------------


@pytest.fixture
def worded(session, make):
    """An open meeting of an Albanian board (Albanian, English, Arabic) whose service has
    an Albanian name for children but no Arabic one, and an answer worded in Albanian."""
    board = make.board(languages="sq en ar")
    make.service(board, name="Health centre 3", names={"sq": "Qendra shëndetësore 3"})
    meeting = make.meeting(board, services=board.services)
    _answer(session, make, board, {"sq": "Do ta bëjmë.", "en": "We will."})
    session.commit()
    return meeting


def test_a_child_reads_the_service_in_their_language_else_the_boards(app, worded):
    albanian = factories.join(factories.tablet(app), worded, lang="sq")
    page = albanian.get("/meeting/services").get_data(as_text=True)
    assert "Qendra shëndetësore 3" in page and "Health centre 3" not in page
    arabic = factories.join(factories.tablet(app), worded, lang="ar")
    service_id = worded.services[0].id
    for path in ("/meeting/services", f"/meeting/services/{service_id}"):
        page = arabic.get(path).get_data(as_text=True)
        # No Arabic name: the board's own language, never the English name as entered.
        assert "Qendra shëndetësore 3" in page and "Health centre 3" not in page, path
    english = factories.join(factories.tablet(app), worded, lang="en")
    # English is offered, but the service has no English wording: the board's language.
    assert "Qendra shëndetësore 3" in english.get("/meeting/services").get_data(as_text=True)


def test_what_i_gave_and_the_answers_follow_the_rule(app, worded):
    arabic = factories.join(factories.tablet(app), worded, lang="ar")
    service_id = worded.services[0].id
    form = f"/meeting/services/{service_id}"
    arabic.post(form, data={"rating": "4", "once": factories.once(arabic, form)})
    mine = arabic.get("/meeting/mine").get_data(as_text=True)
    assert "Qendra shëndetësore 3" in mine and "Health centre 3" not in mine
    outcomes = arabic.get("/meeting/outcomes").get_data(as_text=True)
    # The answer has Albanian and English wordings: an Arabic child reads the board's.
    assert "Do ta bëjmë." in outcomes and "We will." not in outcomes


# The forms ----------------------------------------------------------------------------------


def test_the_administrator_words_a_service_per_language(client, auth, session, world):
    auth.as_user(world.admin)
    service = world.service
    page = client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    for code in world.board.language_codes:
        assert f'name="name_{code}"' in page
    assert page.count('dir="auto"') >= len(world.board.language_codes)
    response = client.post(
        f"/admin/services/{service.id}",
        data={
            "name": "Clinic",
            "category": "health",
            "active": "y",
            "name_sq": " Klinika ",
            "name_ar": "العيادة",
        },
    )
    assert response.status_code == 302
    session.refresh(service)
    assert service.names == {"sq": "Klinika", "ar": "العيادة"}


def test_a_name_too_long_is_refused_and_nothing_typed_is_lost(client, auth, session, world):
    auth.as_user(world.admin)
    service = world.service
    response = client.post(
        f"/admin/services/{service.id}",
        data={
            "name": "Clinic renamed",
            "category": "health",
            "active": "y",
            "name_sq": "Klinika e re",
            "name_ar": "ع" * 201,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="name_ar-error"' in page and "200" in page
    assert 'value="Clinic renamed"' in page and 'value="Klinika e re"' in page
    assert "ع" * 201 in page
    session.refresh(service)
    assert service.name == "Clinic" and service.names == {}


def test_a_facilitator_words_the_names_of_their_boards_services(client, auth, session, world):
    auth.as_user(world.facilitator)
    service = world.service
    service.names = {"bg": "Клиника"}  # a language the board no longer offers: kept
    session.commit()
    path = f"/services/{service.id}/names"
    page = client.get(path).get_data(as_text=True)
    assert 'name="name_ar"' in page and 'dir="auto"' in page and 'name="name"' not in page
    response = client.post(path, data={"name_sq": "Klinika", "name_ar": "", "name_en": "Clinic"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/boards/{world.board.id}/wordings"
    session.refresh(service)
    assert service.name == "Clinic"
    assert service.names == {"bg": "Клиника", "sq": "Klinika", "en": "Clinic"}
    audited = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.target_id == service.id)
    )
    assert "service.update" in list(audited)
    refused = client.post(path, data={"name_sq": "x" * 201, "name_ar": "العيادة"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "العيادة" in page and 'id="name_sq-error"' in page


def test_another_boards_facilitator_cannot_word_its_services(client, auth, session, world):
    auth.as_user(world.other_facilitator)
    path = f"/services/{world.service.id}/names"
    assert client.get(path).status_code == 403
    assert client.post(path, data={"name_sq": "Hack"}).status_code == 403
    session.refresh(world.service)
    assert world.service.names == {}


# The missing-wordings page ------------------------------------------------------------------


@pytest.fixture
def gaps(session, world, make):
    """The world's board (Albanian, English, Arabic): the clinic worded in Albanian only, a
    second service in all three, a shortlisted action titled in English with an Albanian
    wording, a done action whose outcome has no wording, an answer worded in English; an
    inactive service and a proposal no one moderated yet, which children do not read."""
    board = world.board
    world.service.names = {"sq": "Klinika"}
    make.service(board, name="Shelter", names={"sq": "Strehim", "en": "Shelter", "ar": "مأوى"})
    make.service(board, name="Closed service", active=False)
    world.sports = make.action(board, "Sports", child_texts={"sq": {"title": "Sport"}})
    make.action(
        board,
        "Open on Sundays",
        status=ActionStatus.DONE,
        outcome="It is open",
        outcome_reason="Money",
        child_texts={lang: {"title": "Open"} for lang in ("sq", "ar")},
    )
    make.proposal(board, "Unread idea")
    world.answer = _answer(session, make, board, {"en": "We will."})
    make.commit()
    return world


def test_the_page_lists_what_lacks_a_wording_in_each_language(client, auth, gaps):
    auth.as_user(gaps.facilitator)
    response = client.get(f"/boards/{gaps.board.id}/wordings")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    sections = _sections(page, gaps.board.language_codes)
    clinic = f'href="/services/{gaps.service.id}/names"'
    # Albanian: only the outcome and the answer are missing.
    assert clinic not in sections["sq"] and "Shelter" not in sections["sq"]
    # (an answer is shown as the partner wrote it, beside their organisation's name)
    assert "It is open" in sections["sq"] and "We will do it" in sections["sq"]
    assert f'href="/responses/{gaps.answer.id}/children"' in sections["sq"]
    # English: the clinic; the titles are written in English; the outcome.
    assert clinic in sections["en"] and "Sports" not in sections["en"]
    assert "It is open" in sections["en"] and "We will do it" not in sections["en"]
    # Arabic: the clinic, the shortlisted action (a link to its form), outcome and answer.
    assert clinic in sections["ar"] and "Sports" in sections["ar"]
    assert f'href="/actions/{gaps.sports.id}"' in sections["ar"]
    assert "Closed service" not in page and "Unread idea" not in page
    assert "4 of 6 texts children read have no wording in this language." in sections["ar"]


def _sections(page: str, languages: list[str]) -> dict[str, str]:
    """The page's part for each language, by its heading's id."""
    found = {}
    for code in languages:
        start = page.index(f'id="language-{code}"')
        end = page.find("</section>", start)
        found[code] = page[start:end]
    return found


def test_the_texts_a_board_s_children_read(session, gaps):
    texts = queries.board_texts(session, gaps.board)
    kinds = [(t.kind, t.label) for t in texts]
    assert kinds == [
        (queries.TextKind.SERVICE_NAME, "Clinic"),
        (queries.TextKind.SERVICE_NAME, "Shelter"),
        (queries.TextKind.ACTION_TITLE, "Sports"),
        (queries.TextKind.ACTION_TITLE, "Open on Sundays"),
        (queries.TextKind.ACTION_OUTCOME, "It is open"),
        (queries.TextKind.ANSWER, f"{gaps.answer.organisation.name}: We will do it"),
    ]
    missing = queries.missing_by_language(texts, ["sq", "en", "ar"])
    assert [t.label for t in missing["sq"]] == ["It is open", texts[-1].label]


def test_only_the_boards_facilitators_and_administrators_read_it(client, auth, gaps):
    path = f"/boards/{gaps.board.id}/wordings"
    for who, status in (
        (gaps.admin, 200),
        (gaps.facilitator, 200),
        (gaps.lead, 403),
        (gaps.partner, 403),
        (gaps.other_facilitator, 403),
    ):
        auth.as_user(who)
        assert client.get(path).status_code == status, who
    auth.logout()
    assert "/login" in client.get(path).headers["Location"]


def test_the_board_and_meetings_pages_link_it(client, auth, world):
    auth.as_user(world.facilitator)
    link = f'href="/boards/{world.board.id}/wordings"'
    assert link in client.get(f"/boards/{world.board.id}").get_data(as_text=True)
    assert link in client.get(f"/boards/{world.board.id}/meetings").get_data(as_text=True)
    auth.as_user(world.lead)
    assert link not in client.get(f"/boards/{world.board.id}").get_data(as_text=True)


def test_the_interface_counts_child_messages_a_catalogue_leaves_untranslated(tmp_path):
    template = Catalog()
    template.add("Vote", flags=["child"])
    template.add("I am finished", flags=["child"])
    template.add(("%(num)d vote", "%(num)d votes"), flags=["child"])
    template.add("Moderation")  # staff only
    _write(tmp_path / "messages.pot", template, 1)
    sq = Catalog(locale="sq")
    sq.add("Vote", "Voto")
    sq.add("I am finished", "")
    sq.add(("%(num)d vote", "%(num)d votes"), ("%(num)d votë", "%(num)d vota"))
    sq.add("Moderation", "")
    _write(tmp_path / "sq" / "LC_MESSAGES" / "messages.po", sq, 1)
    assert queries.interface_gaps("sq", tmp_path) == 1
    assert queries.interface_gaps("ar", tmp_path) == 3  # no catalogue at all
    assert queries.interface_gaps("en", tmp_path) == 0  # the language they are written in
    sq.get("I am finished").string = "Mbarova"
    _write(tmp_path / "sq" / "LC_MESSAGES" / "messages.po", sq, 2)
    assert queries.interface_gaps("sq", tmp_path) == 0  # read again once changed


def _write(path: Path, catalog: Catalog, version: int) -> None:
    """Write ``catalog``, dated by ``version`` (two writes within the file system's clock
    tick must still read as a change)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    write_po(out, catalog)
    path.write_bytes(out.getvalue())
    os.utime(path, (1_700_000_000 + version, 1_700_000_000 + version))


# The warning before a meeting opens ---------------------------------------------------------


def test_the_meeting_page_warns_before_opening_and_does_not_block(client, auth, session, make):
    board = make.board(languages="sq en ar")
    clinic = make.service(board, name="Clinic", names={"sq": "Klinika", "en": "Clinic"})
    make.service(board, name="Not on the agenda")  # the page lists it, the warning does not
    make.action(board, "Sports", child_texts={"sq": {"title": "Sport"}, "ar": {"title": "رياضة"}})
    meeting = make.meeting(board, services=[clinic], open=False)
    facilitator = make.user(Role.FACILITATOR, board)
    make.commit()
    auth.as_user(facilitator)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    start = page.index('id="missing-wordings"')
    warning = page[start : page.index("</div>", start)]
    assert "Clinic" in warning and "العربية" in warning
    assert "Sports" not in warning  # worded in Albanian, Arabic, and written in English
    assert "Not on the agenda" not in warning
    assert f'href="/boards/{board.id}/wordings"' in warning
    assert f'action="/meetings/{meeting.id}/open"' in page
    # It warns, it does not block.
    assert client.post(f"/meetings/{meeting.id}/open").status_code == 302
    session.refresh(meeting)
    assert meeting.is_open
    assert 'id="missing-wordings"' not in client.get(f"/meetings/{meeting.id}").get_data(True)


def test_no_warning_when_the_agenda_is_worded(client, auth, session, make):
    board = make.board(languages="sq ar")
    clinic = make.service(board, name="Clinic", names={"sq": "Klinika", "ar": "العيادة"})
    make.action(board, "Sports", language="sq", child_texts={"ar": {"title": "رياضة"}})
    meeting = make.meeting(board, services=[clinic], open=False)
    facilitator = make.user(Role.FACILITATOR, board)
    make.commit()
    auth.as_user(facilitator)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="missing-wordings"' not in page
    assert f'action="/meetings/{meeting.id}/open"' in page


# The benchmark ------------------------------------------------------------------------------


def test_the_benchmark_counts_each_text_once_per_language_of_its_board(session, gaps, make):
    other = make.board(languages="bg ar")
    make.service(other, name="Day centre", names={"bg": "Дневен център"})
    make.commit()
    found = bench.measure(session)
    # The world's board: six texts in sq, en, ar; the other board: one in bg, ar; and the
    # world's other board (no service, nothing to word) adds nothing.
    assert found["sq"] == queries.Coverage(4, 6)
    assert found["en"] == queries.Coverage(3 + 1, 6)  # Shelter, both English titles, answer
    assert found["ar"] == queries.Coverage(2 + 0, 6 + 1)
    assert found["bg"] == queries.Coverage(1, 1) and found["bg"].share == 1.0
    lines = bench.table(found)
    ar = next(line for line in lines if line.startswith("ar "))
    assert "28.6 %" in ar and ar.split()[-2] == "NO"
    bg = next(line for line in lines if line.startswith("bg "))
    assert "100.0 %" in bg and bg.split()[-2] == "yes"
    assert [line.split()[0] for line in lines[2:]] == ["en", "sq", "bg", "ar"]


def test_the_demo_network_is_worded_in_every_language_of_its_boards(runner, session):
    assert runner.invoke(args=["demo"]).exit_code == 0
    found = bench.measure(session)
    boards = session.scalars(sa.select(Board)).all()
    assert set(found) == {code for b in boards for code in b.language_codes}
    assert all(cover.total and cover.share == 1.0 for cover in found.values()), found
    services = session.scalars(sa.select(Service)).all()
    assert all(set(s.board.language_codes) <= set(s.names) for s in services)
