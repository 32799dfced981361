"""A child's words quoted in summaries: a safeguarding concern (rules 10, 13) and the
retention purge (rule 22) reach every copy, on every page, export and API answer, while
the figures stay as published. Issue 13, items 1 and 6."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from board.api import services as tokens
from board.db import Base
from board.feedback.models import Feedback
from board.moderation import services as moderation
from board.states import ModerationState
from board.summaries import queries, services
from board.summaries.models import QuoteGone, Summary, SummaryItem, SummaryState
from tests.factories import csv_table, publish

WORDS = "My uncle Arben keeps my passport at the car wash."
KEPT = "The nurse listened to me."


@pytest.fixture
def world(session, make):
    """A board whose March 2024 meeting named City hall to the children, with two approved
    texts, its staff, a partner of City hall and City hall's API token (``world.secret``)."""
    world = make.world(name="Tirana", threshold_k=3, retention_months=18)
    ratings = {world.service: [4, 4, 4, 5, 5, 2]}
    make.held(world.board, date(2024, 3, 9), ratings, texts=[WORDS, KEPT])
    _token, world.secret = tokens.create_token(session, world.admin, world.org, "City BI")
    session.commit()
    return world


def _feedback(session, text) -> Feedback:
    return session.scalar(sa.select(Feedback).where(Feedback.happened == text))


def _draft(client, auth, session, board, people, quoted=(WORDS, KEPT)) -> Summary:
    """The facilitator's draft of March 2024 quoting these words, through the pages."""
    auth.as_user(people["facilitator"])
    client.post(f"/boards/{board.id}/summaries", data={"period": "2024-03-01/1"})
    summary = session.scalar(sa.select(Summary).where(Summary.board_id == board.id))
    keys = [f"{_feedback(session, text).id}:happened" for text in quoted]
    response = client.post(
        f"/summaries/{summary.id}/edit",
        data={"narrative": "", "recommendations": "Open on Saturdays", "quotes": keys},
    )
    assert response.status_code == 302
    return summary


def _concern(client, session, text) -> None:
    """The facilitator raises a safeguarding concern on approved words, from the queue."""
    item = _feedback(session, text)
    response = client.post(
        f"/moderation/feedback/{item.id}",
        data={
            "decision": "concern",
            "concern_urgency": "today",
            "concern_reason": "He is being exploited.",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert _feedback(session, KEPT) is not None
    assert session.get(Feedback, item.id).moderation is ModerationState.SAFEGUARDING


def _every_output(client, auth, people, summary_id, secret) -> dict[str, str]:
    """What a partner gets of the summary: its page, its JSON, its CSV, the API answer."""
    auth.as_user(people["partner"])
    api = client.get(
        f"/api/v1/summaries/{summary_id}", headers={"Authorization": f"Bearer {secret}"}
    )
    outputs = {
        "page": client.get(f"/summaries/{summary_id}"),
        "json": client.get(f"/summaries/{summary_id}.json"),
        "csv": client.get(f"/summaries/{summary_id}.csv"),
        "api": api,
    }
    assert {name: r.status_code for name, r in outputs.items()} == dict.fromkeys(outputs, 200)
    return {name: r.get_data(as_text=True) for name, r in outputs.items()}


def _quotes(client, summary_id, secret) -> list[str]:
    answer = client.get(
        f"/api/v1/summaries/{summary_id}", headers={"Authorization": f"Bearer {secret}"}
    ).json
    return [i["text"] for i in answer["items"] if i["kind"] == "quote"]


def _clinic_ratings(text: str) -> str:
    header, rows = csv_table(text, "ratings")
    return next(r for r in rows if r[0] == "Clinic")[header.index("ratings")]


# Item 1: a safeguarding concern reaches every quote ----------------------------------------


def test_a_concern_on_quoted_words_keeps_them_from_partners(client, auth, session, world):
    """The attack: approve, quote in a draft, raise a concern, publish. Partners received
    the child's exact words (page and JSON) before the fix."""
    board, people, secret = world.board, world.people, world.secret
    summary = _draft(client, auth, session, board, people)
    _concern(client, session, WORDS)
    preview = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert WORDS not in preview and KEPT in preview  # the facilitator's preview at once
    assert publish(client, summary).status_code == 302
    session.expire_all()
    assert session.get(Summary, summary.id).state is SummaryState.PUBLISHED
    outputs = _every_output(client, auth, people, summary.id, secret)
    for name, text in outputs.items():
        assert WORDS not in text and "passport" not in text, name
    assert KEPT in outputs["page"] and KEPT in outputs["json"] and KEPT in outputs["api"]
    assert _quotes(client, summary.id, secret) == [KEPT]  # a draft loses the quote
    # The summary's rows hold the words no more: only the concern keeps them.
    assert not session.scalars(sa.select(SummaryItem).where(SummaryItem.text == WORDS)).all()


def test_a_concern_after_publishing_withdraws_the_words_everywhere(client, auth, session, world):
    """Published with the quote; a concern raised afterwards shows "[withdrawn]" on every
    page, export and API answer, and the figures stay as published."""
    board, people, secret = world.board, world.people, world.secret
    summary = _draft(client, auth, session, board, people)
    publish(client, summary)
    before = _every_output(client, auth, people, summary.id, secret)
    assert WORDS in before["page"] and WORDS in before["json"] and WORDS in before["api"]
    auth.as_user(people["facilitator"])
    _concern(client, session, WORDS)
    after = _every_output(client, auth, people, summary.id, secret)
    for name, text in after.items():
        assert WORDS not in text and "passport" not in text, name
    assert "[withdrawn]" in after["page"]
    assert _quotes(client, summary.id, secret) == ["[withdrawn]", KEPT]
    quotes = [i["text"] for i in _json(client, summary.id)["items"] if i["kind"] == "quote"]
    assert quotes == ["[withdrawn]", KEPT]
    # The concern took a rating out of the live tallies; the published figures stay.
    assert _clinic_ratings(after["csv"]) == _clinic_ratings(before["csv"]) == "6"
    assert csv_table(before["csv"], "ratings") == csv_table(after["csv"], "ratings")
    assert "[withdrawn]" in after["csv"]  # the quotes' table goes through shown_words too
    item = session.scalar(sa.select(SummaryItem).where(SummaryItem.gone.is_not(None)))
    assert (item.text, item.gone) == ("", QuoteGone.WITHDRAWN)  # erased, not hidden
    # The facilitator's own view of the published summary says the same.
    auth.as_user(people["facilitator"])
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert WORDS not in page and "[withdrawn]" in page


def _json(client, summary_id) -> dict:
    return client.get(f"/summaries/{summary_id}.json").json


def test_publishing_checks_every_quote_again(app, session, world):
    """Words that stopped being approved after the draft was saved (here by a change that
    bypassed the concern's own clean-up) are not published."""
    board = world.board
    with app.test_request_context():
        summary = services.start_summary(session, None, board, date(2024, 3, 1))
        keys = [key for key, _text, _month in queries.quotable(session, summary)]
        services.save_draft(session, None, summary, narrative="", recommendations=[], quotes=keys)
        session.execute(
            sa.update(Feedback)
            .where(Feedback.happened == WORDS)
            .values(moderation=ModerationState.SAFEGUARDING)
        )
        session.expire_all()
        services.publish(session, None, summary)
        quotes = [i for i in summary.items if i.kind.value == "quote"]
        assert [i.text for i in quotes] == [KEPT]


def test_a_quote_whose_source_changed_is_never_shown(app, session, world):
    """The one place that renders a quote checks its source: a copy that outlived its
    words (or lost its link) shows "[withdrawn]", whatever its row still holds."""
    board = world.board
    with app.test_request_context():
        summary = services.start_summary(session, None, board, date(2024, 3, 1))
        # The offer is shuffled (random ids): pick these words by their text.
        key = next(k for k, text, _m in queries.quotable(session, summary) if text == WORDS)
        services.save_draft(session, None, summary, narrative="", recommendations=[], quotes=[key])
        services.publish(session, None, summary)
        (quote,) = [i for i in summary.items if i.kind.value == "quote"]
        assert quote.words == WORDS
        quote.feedback.happened = None  # as an old purge left it
        assert quote.words == "[withdrawn]"
        quote.feedback_id, quote.feedback = None, None
        assert quote.words == "[withdrawn]"


# Item 6: retention purges every copy -------------------------------------------------------


def _tables_holding(session, words: str) -> list[str]:
    """Every table and column of the database where these words still are."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String | sa.Text | sa.JSON):
                continue
            text = sa.cast(column, sa.Text)
            hits = session.scalar(
                sa.select(sa.func.count()).select_from(table).where(text.contains(words))
            )
            if hits:
                found.append(f"{table.name}.{column.name}")
    return sorted(found)


def test_the_purge_removes_the_quoted_copies_too(client, auth, runner, session, world):
    """The attack: `flask purge` deleted the approved texts, but the quotes copied into
    summaries stayed. Afterwards the words are gone from every table, every output says
    "[removed after 18 months]" (the board's retention), and the dry run counts them."""
    board, people, secret = world.board, world.people, world.secret
    summary = _draft(client, auth, session, board, people)
    publish(client, summary)
    before = _every_output(client, auth, people, summary.id, secret)
    assert WORDS in before["page"]
    assert _tables_holding(session, WORDS) == ["feedback.happened", "summary_item.text"]
    session.commit()

    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0
    assert (
        "Tirana: would delete 2 approved texts and 0 closed safeguarding records, "
        "and the words of 2 quotes in summaries" in dry.output
    )
    session.expire_all()
    assert _tables_holding(session, WORDS) == ["feedback.happened", "summary_item.text"]

    real = runner.invoke(args=["purge"])
    assert real.exit_code == 0 and "deleted 2 approved texts" in real.output
    session.expire_all()
    assert _tables_holding(session, WORDS) == []
    assert _tables_holding(session, KEPT) == []
    after = _every_output(client, auth, people, summary.id, secret)
    for name, text in after.items():
        assert WORDS not in text and KEPT not in text, name
    assert after["page"].count("[removed after 18 months]") == 2
    assert _quotes(client, summary.id, secret) == ["[removed after 18 months]"] * 2
    quotes = [i for i in _json(client, summary.id)["items"] if i["kind"] == "quote"]
    assert [(q["text"], q["month"]) for q in quotes] == [
        ("[removed after 18 months]", "2024-03")
    ] * 2
    ratings = csv_table(before["csv"], "ratings")
    assert ratings == csv_table(after["csv"], "ratings")  # the figures stay
    assert "[removed after 18 months]" in after["csv"]
    items = session.scalars(sa.select(SummaryItem).where(SummaryItem.kind == "quote")).all()
    assert {(i.text, i.gone) for i in items} == {("", QuoteGone.PURGED)}
    # A second run finds nothing left to erase.
    again = runner.invoke(args=["purge", "--dry-run"])
    assert "would delete 0 approved texts" in again.output and "words of 0 quotes" in again.output


def test_the_purge_keeps_recent_quotes(client, auth, runner, session, world, make):
    """Only quotes past the board's retention are erased; a recent summary's stay."""
    board, people = world.board, world.people
    clinic = board.services[0]
    make.held(board, date(2026, 5, 9), {clinic: [3, 3, 3]}, texts=["Recent words stay."])
    session.commit()
    auth.as_user(people["facilitator"])
    client.post(f"/boards/{board.id}/summaries", data={"period": "2026-05-01/1"})
    recent = session.scalar(sa.select(Summary).where(Summary.month == date(2026, 5, 1)))
    key = f"{_feedback(session, 'Recent words stay.').id}:happened"
    client.post(f"/summaries/{recent.id}/edit", data={"narrative": "", "quotes": [key]})
    publish(client, recent)
    result = runner.invoke(args=["purge"])
    assert "words of 0 quotes" in result.output
    session.expire_all()
    assert "Recent words stay." in client.get(f"/summaries/{recent.id}").get_data(as_text=True)
    assert _tables_holding(session, "Recent words stay.") == [
        "feedback.happened",
        "summary_item.text",
    ]


def test_a_withdrawn_quote_never_comes_back(app, session, world):
    """The schema keeps the promise: a withdrawn or purged item can hold no words."""
    board = world.board
    with app.test_request_context():
        summary = services.start_summary(session, None, board, date(2024, 3, 1))
        session.add(
            SummaryItem(summary=summary, kind="quote", text=WORDS, gone=QuoteGone.WITHDRAWN)
        )
        with pytest.raises(sa.exc.IntegrityError):
            session.flush()
    session.rollback()


def test_a_concern_on_an_unquoted_text_leaves_summaries_alone(app, session, world):
    board, people = world.board, world.people
    with app.test_request_context():
        summary = services.start_summary(session, None, board, date(2024, 3, 1))
        key = f"{_feedback(session, KEPT).id}:happened"
        services.save_draft(session, None, summary, narrative="", recommendations=[], quotes=[key])
        moderation.raise_concern(
            session, people["facilitator"], _feedback(session, WORDS), "seen", urgency="today"
        )
        session.expire_all()
        assert [i.words for i in summary.items if i.kind.value == "quote"] == [KEPT]


def test_the_migration_links_old_quotes_and_erases_orphaned_words(app, session, make, world):
    """Quotes copied before the link existed: linked to the approved text they copied; a
    quote whose source lost its words to a concern or to the purge loses them too."""
    from alembic import command

    from board import migrate
    from board.moderation.models import Concern, ConcernSource

    board = world.board
    clinic = board.services[0]
    make.held(board, date(2024, 4, 9), {clinic: [3, 3, 3]}, texts=["Purged long ago."])
    session.commit()
    with app.test_request_context():
        made = []
        for month in (date(2024, 3, 1), date(2024, 4, 1)):
            summary = services.start_summary(session, None, board, month)
            keys = [key for key, _text, _month in queries.quotable(session, summary)]
            services.save_draft(
                session, None, summary, narrative="", recommendations=[], quotes=keys
            )
            services.publish(session, None, summary)
            made.append(summary)
    # What the old code left: sources emptied, copies untouched.
    concerned, purged = _feedback(session, WORDS), _feedback(session, "Purged long ago.")
    concerned.happened, concerned.moderation = None, ModerationState.SAFEGUARDING
    purged.happened = None
    session.add(
        Concern(
            board_id=board.id,
            source=ConcernSource.FEEDBACK,
            words=f"{WORDS}\n\nmore",
            urgency="today",
            occurred_on=date(2024, 3, 1),
        )
    )
    session.commit()
    session.close()
    try:
        command.downgrade(migrate.alembic_config(app), "9f0c57f4241b")
    finally:
        migrate.upgrade(app)  # the rest of the suite runs on the newest schema
    item = SummaryItem
    rows = session.execute(
        sa.select(item.text, item.gone, item.feedback_id, item.source_field)
        .where(SummaryItem.kind == "quote")
        .order_by(SummaryItem.summary_id, SummaryItem.position)
    ).all()
    # Quotes are offered in a shuffled order (random ids), so their positions vary.
    assert sorted(map(tuple, rows), key=repr) == sorted(
        [
            ("", QuoteGone.WITHDRAWN, None, None),
            (KEPT, None, _feedback(session, KEPT).id, "happened"),
            ("", QuoteGone.PURGED, None, None),
        ],
        key=repr,
    )
