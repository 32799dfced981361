"""Findings with content (issue 15, item 3): the facilitator writes each finding in plain
words on the draft page, linked to the figures and the approved quotes it rests on; the
summary shows them beside it; partners answer it. No finding is made from a service's name
any more. A finding with boxes ticked and no words is refused at its slot, nothing lost."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from markupsafe import escape

from board.feedback.models import Feedback
from board.summaries import queries, services
from board.summaries.findings import FindingDraft
from board.summaries.models import ItemKind, Response, Summary, SummaryItem
from tests.factories import after, publish

WORDS = "The clinic sent me away because I had no papers."
KEPT = "The nurse listened to me."
FINDING = "Children say the clinic turns away those without papers."
OTHER = "Children find the school hard to reach."


@pytest.fixture(autouse=True)
def april():
    """The clock on 2 April 2030: March is over, so its summary can be published."""
    with after(date(2030, 3, 1)):
        yield


@pytest.fixture
def world(session, make):
    """Tirana (k = 3) in March 2030: the Clinic rated six times (a published distribution)
    with two approved texts, the School twice (fewer than k), a Library not rated; both
    meetings named City hall to the children."""
    world = make.world(name="Tirana", threshold_k=3)
    world.school = make.service(world.board, name="School")
    world.library = make.service(world.board, name="Library")
    ratings = {world.service: [4, 4, 4, 5, 5, 5]}
    make.held(world.board, date(2030, 3, 7), ratings, texts=[WORDS, KEPT])
    make.held(world.board, date(2030, 3, 21), {world.school: [3, 3]})
    session.commit()
    return world


def _key(session, text) -> str:
    feedback = session.scalar(sa.select(Feedback).where(Feedback.happened == text))
    return f"{feedback.id}:happened"


def _start(client, auth, session, world) -> Summary:
    auth.as_user(world.facilitator)
    response = client.post(f"/boards/{world.board.id}/summaries", data={"period": "2030-03-01/1"})
    assert response.status_code == 302
    return session.scalar(sa.select(Summary).where(Summary.board_id == world.board.id))


def _form(session, world, **extra) -> dict:
    """A draft with one finding on the Clinic's figures, the figure over all services and
    the child's words (not ticked among the quotes), and two empty slots."""
    return {
        "narrative": "<p>Waiting is long.</p>",
        "recommendations": "Open on Saturdays",
        "quotes": [_key(session, KEPT)],
        "findings-0-text": FINDING,
        "findings-0-figures": [str(world.service.id), "all"],
        "findings-0-quotes": [_key(session, WORDS)],
        "findings-1-text": "",
        "findings-2-text": "  ",
        **extra,
    }


def _items(session, summary, kind) -> list[SummaryItem]:
    session.expire_all()
    return [i for i in session.get(Summary, summary.id).items if i.kind is kind]


def _article(page: str, item_id: int) -> str:
    found = re.search(rf'id="item-{item_id}".*?</article>', page, re.S)
    assert found, f"item {item_id} is not on the page"
    return found.group(0)


def _checked(page: str, name: str, value: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{re.escape(value)}"[^>]*>', page)
    assert tag, f"no box {name}={value}"
    return "checked" in tag.group(0)


def _concern(client, session, text) -> None:
    feedback = session.scalar(sa.select(Feedback).where(Feedback.happened == text))
    response = client.post(
        f"/moderation/feedback/{feedback.id}",
        data={
            "decision": "concern",
            "concern_urgency": "today",
            "concern_reason": "He is being exploited.",
        },
    )
    assert response.status_code == 302


def test_no_finding_is_made_from_a_services_name(client, auth, session, world):
    summary = _start(client, auth, session, world)
    assert _items(session, summary, ItemKind.FINDING) == []
    client.post(f"/summaries/{summary.id}/edit", data={"recommendations": "More"})
    publish(client, summary)
    assert _items(session, summary, ItemKind.FINDING) == []
    auth.as_user(world.partner)
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert page.count('class="card summary-item"') == 1  # the recommendation alone


def test_the_draft_page_offers_empty_findings_with_the_periods_figures_and_words(
    client, auth, session, world
):
    summary = _start(client, auth, session, world)
    page = client.get(f"/summaries/{summary.id}/edit").get_data(as_text=True)
    for number in (1, 2, 3):
        assert f'<label for="findings-{number - 1}-text">Finding {number}</label>' in page
    assert "findings-3-text" not in page
    slot = page[page.index('id="findings-0-figures"') :]
    slot = slot[: slot.index("</ul>")]
    assert "All services" in slot and "Clinic" in slot and "School" in slot
    assert "Library" not in slot  # not rated in the period: no figure to rest on
    assert KEPT in page and WORDS in page


def test_a_finding_is_saved_with_its_figures_and_quotes(client, auth, session, world):
    summary = _start(client, auth, session, world)
    response = client.post(f"/summaries/{summary.id}/edit", data=_form(session, world))
    assert response.status_code == 302
    (finding,) = _items(session, summary, ItemKind.FINDING)  # empty slots are dropped
    assert finding.text == FINDING and finding.position == 0
    assert [(link.service_id, link.overall) for link in finding.links[:2]] == [
        (None, True),
        (world.service.id, False),
    ]
    # The words it rests on are quoted in the summary too, with the ones ticked there.
    quotes = _items(session, summary, ItemKind.QUOTE)
    assert sorted(q.text for q in quotes) == sorted([KEPT, WORDS])
    assert [q.text for q in finding.quote_links] == [WORDS]
    assert finding.quote_links[0].summary_id == summary.id
    # Opened again: the finding as saved, and three empty slots below it.
    page = client.get(f"/summaries/{summary.id}/edit").get_data(as_text=True)
    assert (
        f'id="findings-0-text" maxlength="2000" name="findings-0-text" rows="3">\r\n{FINDING}<'
        in page
    )
    assert _checked(page, "findings-0-figures", str(world.service.id))
    assert _checked(page, "findings-0-figures", "all")
    assert not _checked(page, "findings-0-figures", str(world.school.id))
    assert _checked(page, "findings-0-quotes", _key(session, WORDS))
    assert "findings-3-text" in page and "findings-4-text" not in page
    # Saved again unchanged, it stays one finding.
    again = _form(session, world, quotes=[_key(session, KEPT), _key(session, WORDS)])
    assert client.post(f"/summaries/{summary.id}/edit", data=again).status_code == 302
    assert len(_items(session, summary, ItemKind.FINDING)) == 1


def test_a_finding_with_boxes_but_no_words_is_refused_and_nothing_is_lost(
    client, auth, session, world
):
    summary = _start(client, auth, session, world)
    data = _form(
        session,
        world,
        **{
            "findings-1-text": OTHER,
            "findings-1-figures": [str(world.school.id)],
            "findings-2-text": "   ",
            "findings-2-figures": [str(world.service.id)],
            "findings-2-quotes": [_key(session, KEPT)],
        },
    )
    response = client.post(f"/summaries/{summary.id}/edit", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="findings-2-text-error">(.*?)</p>', page, re.S)
    assert error and "Write the finding in words, or clear its boxes." in error.group(1)
    assert 'aria-invalid="true" id="findings-2-text"' in page
    # Everything typed is still there: narrative, recommendations, findings, ticks.
    assert "&lt;p&gt;Waiting is long.&lt;/p&gt;</textarea>" in page
    assert "Open on Saturdays</textarea>" in page
    assert f"{FINDING}</textarea>" in page and f"{OTHER}</textarea>" in page
    assert _checked(page, "quotes", _key(session, KEPT))
    assert _checked(page, "findings-0-figures", "all")
    assert _checked(page, "findings-0-quotes", _key(session, WORDS))
    assert _checked(page, "findings-1-figures", str(world.school.id))
    assert _checked(page, "findings-2-figures", str(world.service.id))
    assert _checked(page, "findings-2-quotes", _key(session, KEPT))
    # And nothing was saved.
    assert _items(session, summary, ItemKind.FINDING) == []
    assert session.get(Summary, summary.id).narrative == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("findings-0-figures", "library"),  # a service not rated in the period
        ("findings-0-figures", "other"),  # another board's service
        ("findings-0-quotes", "999:happened"),  # words that are not approved words here
    ],
)
def test_a_finding_rests_only_on_this_summarys_figures_and_words(
    client, auth, session, world, field, value
):
    summary = _start(client, auth, session, world)
    other = world.make.service(world.other_board, name="Elsewhere clinic")
    session.commit()
    value = {"library": str(world.library.id), "other": str(other.id)}.get(value, value)
    response = client.post(
        f"/summaries/{summary.id}/edit", data=_form(session, world, **{field: value})
    )
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _items(session, summary, ItemKind.FINDING) == []


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"findings-0-figures": "x1"}, 400),  # not a service's id
        ({"findings-0-text": "x" * 2001}, 400),  # too long
        ({"findings-99999999999-text": "Far away", "findings-x-text": "odd"}, 302),
        ({"findings-0-figures": ["all", "all"]}, 302),  # ticked twice: one link
    ],
)
def test_odd_finding_slots_never_fail(client, auth, session, world, extra, status):
    summary = _start(client, auth, session, world)
    response = client.post(f"/summaries/{summary.id}/edit", data=_form(session, world, **extra))
    assert response.status_code == status


def test_the_service_refuses_a_finding_without_words(session, make, world):
    summary = make.summary(world.board, date(2030, 3, 1))
    with make.app.app_context(), pytest.raises(services.SummaryError) as refused:
        services.save_draft(
            session,
            None,
            summary,
            narrative="",
            recommendations=[],
            quotes=[],
            findings=[FindingDraft(FINDING), FindingDraft(" ", overall=True)],
        )
    assert refused.value.field == "findings-1-text"


def test_the_summary_shows_a_finding_with_its_figures_and_quotes_beside_it(
    client, auth, session, world
):
    summary = _start(client, auth, session, world)
    data = _form(session, world)
    data["findings-1-text"] = OTHER
    data["findings-1-figures"] = [str(world.school.id)]
    client.post(f"/summaries/{summary.id}/edit", data=data)
    first, second = _items(session, summary, ItemKind.FINDING)
    for reader in ("facilitator", "partner"):  # the preview, then the published page
        auth.as_user(world[reader])
        page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
        shown = _article(page, first.id)
        assert FINDING in shown
        # The Clinic's number gives way: beside the month's 8 it would tell the School's 2.
        assert "Clinic: not shown" in shown
        assert "All services: 8 ratings" in shown
        assert WORDS in shown and KEPT not in shown
        assert "School" not in shown
        shown = _article(page, second.id)
        assert OTHER in shown and "School: fewer than 3 ratings" in shown
        assert "Clinic" not in shown and "rests on:" in shown
        # Findings come first, before the recommendation and the quotes.
        assert page.index(FINDING) < page.index("Open on Saturdays") < page.index(KEPT)
        if reader == "facilitator":
            publish(client, summary)
            session.expire_all()
            assert session.get(Summary, summary.id).published


def test_words_withdrawn_after_publishing_show_withdrawn_in_the_finding(
    client, auth, session, world
):
    summary = _start(client, auth, session, world)
    client.post(f"/summaries/{summary.id}/edit", data=_form(session, world))
    publish(client, summary)
    (finding,) = _items(session, summary, ItemKind.FINDING)
    _concern(client, session, WORDS)
    auth.as_user(world.partner)
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    shown = _article(page, finding.id)
    assert "[withdrawn]" in shown and FINDING in shown
    assert WORDS not in page and "papers." not in page.replace(FINDING, "")
    document = client.get(f"/summaries/{summary.id}.json").json
    (entry,) = [i for i in document["items"] if i["kind"] == "finding"]
    assert [q["text"] for q in entry["quotes"]] == ["[withdrawn]"]
    assert WORDS not in str(document)


def test_words_withdrawn_from_a_draft_leave_the_finding(client, auth, session, world):
    summary = _start(client, auth, session, world)
    client.post(f"/summaries/{summary.id}/edit", data=_form(session, world))
    _concern(client, session, WORDS)
    (finding,) = _items(session, summary, ItemKind.FINDING)
    assert finding.quote_links == [] and len(finding.links) == 2  # the figures stay
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert FINDING in page and WORDS not in page
    assert publish(client, summary).status_code == 302
    (finding,) = _items(session, summary, ItemKind.FINDING)
    assert finding.text == FINDING and finding.quote_links == []


def test_words_no_longer_approved_at_publishing_leave_the_finding(session, make, world):
    """The quote's recheck at publishing (the words changed since the draft was saved)
    takes the finding's link to them too."""
    summary = make.summary(world.board, date(2030, 3, 1))
    with make.app.app_context():
        key = queries.quotable(session, summary)[0][0]
        finding = FindingDraft(FINDING, [world.service.id], quotes=[key])
        services.save_draft(
            session, None, summary, narrative="", recommendations=[], quotes=[], findings=[finding]
        )
        source = session.get(Feedback, int(key.split(":")[0]))
        source.happened = "Changed words."
        services.publish(session, None, summary)
        session.commit()
    (finding,) = _items(session, summary, ItemKind.FINDING)
    assert finding.quote_links == [] and [link.service_id for link in finding.links] == [
        world.service.id
    ]
    assert _items(session, summary, ItemKind.QUOTE) == []


def test_a_partner_answers_a_finding(client, auth, session, world):
    summary = _start(client, auth, session, world)
    client.post(f"/summaries/{summary.id}/edit", data=_form(session, world))
    publish(client, summary)
    (finding,) = _items(session, summary, ItemKind.FINDING)
    assert finding.answerable
    auth.as_user(world.partner)
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert f'action="/summary-items/{finding.id}/respond' in _article(page, finding.id)
    waiting = client.get("/answers/waiting").get_data(as_text=True)
    assert FINDING in waiting
    response = client.post(
        f"/summary-items/{finding.id}/respond",
        data={"status": "partly", "what": "We will take children without papers on Mondays."},
    )
    assert response.status_code == 302
    answer = session.scalar(sa.select(Response).where(Response.item_id == finding.id))
    assert answer is not None and answer.organisation_id == world.org.id
    page = client.get(f"/summaries/{summary.id}").get_data(as_text=True)
    assert "without papers on Mondays" in _article(page, finding.id)


def test_a_quote_cannot_be_answered_even_by_a_hand_made_request(client, auth, session, world):
    summary = _start(client, auth, session, world)
    client.post(f"/summaries/{summary.id}/edit", data=_form(session, world))
    publish(client, summary)
    quote = _items(session, summary, ItemKind.QUOTE)[0]
    auth.as_user(world.partner)
    response = client.post(
        f"/summary-items/{quote.id}/respond", data={"status": "accepted", "what": "Noted."}
    )
    assert response.status_code == 400
    assert session.scalar(sa.select(Response).where(Response.item_id == quote.id)) is None


def test_a_finding_without_words_is_not_put_to_partners():
    """Summaries published before findings had words hold findings that are a service's
    name alone: they are kept with their answers, never asked again."""
    assert not SummaryItem(kind=ItemKind.FINDING, text="").answerable
    assert SummaryItem(kind=ItemKind.FINDING, text=FINDING).answerable
    assert SummaryItem(kind=ItemKind.RECOMMENDATION, text="More").answerable
    assert SummaryItem(kind=ItemKind.ACTION, text="Vote").answerable
    assert not SummaryItem(kind=ItemKind.QUOTE, text=KEPT).answerable


def test_the_json_export_gives_a_findings_words_and_what_it_rests_on(client, auth, session, world):
    summary = _start(client, auth, session, world)
    client.post(f"/summaries/{summary.id}/edit", data=_form(session, world))
    publish(client, summary)
    auth.as_user(world.partner)
    document = client.get(f"/summaries/{summary.id}.json").json
    (entry,) = [i for i in document["items"] if i["kind"] == "finding"]
    assert entry["text"] == FINDING
    assert entry["services"] == ["Clinic"] and entry["all_services"] is True
    quote = next(i for i in document["items"] if i["kind"] == "quote" and i["text"] == WORDS)
    assert entry["quotes"] == [{"id": quote["id"], "text": WORDS}]
    assert entry["responses"] == []


def test_the_demos_summaries_show_findings_with_content(runner, session, client, auth):
    """Every published summary of the demo has one or two findings in words, each resting
    on figures (and words, where children said it); a partner answered one."""
    from board.demo import ADMIN_EMAIL, DEMO_PASSWORD

    assert runner.invoke(args=["demo"]).exit_code == 0
    published = session.scalars(sa.select(Summary).where(Summary.published_at.is_not(None)))
    summaries = list(published)
    assert len(summaries) >= 5
    for summary in summaries:
        findings = [i for i in summary.items if i.kind is ItemKind.FINDING]
        assert 1 <= len(findings) <= 2, summary.period
        assert all(f.text and f.links and f.answerable for f in findings)
        assert all(link.service_id or link.overall for link in findings[0].links)
    linked_words = [q for s in summaries for i in s.items for q in i.quote_links]
    assert linked_words and all(q.summary_id and q.source_holds_words for q in linked_words)
    assert session.scalar(
        sa.select(sa.func.count(Response.id))
        .join(SummaryItem)
        .where(SummaryItem.kind == ItemKind.FINDING)
    )
    auth.login(ADMIN_EMAIL, DEMO_PASSWORD)
    first = next(i for i in summaries[0].items if i.kind is ItemKind.FINDING)
    page = client.get(f"/summaries/{summaries[0].id}").get_data(as_text=True)
    shown = _article(page, first.id)
    assert str(escape(first.text)) in shown and "The figures it rests on:" in shown


def test_the_migration_drops_made_findings_and_keeps_answered_ones(app, session, make, world):
    """Before this change every rated service made a finding with no words. Upgrading
    deletes those no partner answered; an answered one stays, with its answer, resting on
    its service's figures, and is not put to partners again."""
    from alembic.script import ScriptDirectory

    from board import migrate
    from board.summaries.models import ResponseStatus

    summary = make.summary(world.board, date(2030, 3, 1), publish=True)
    draft = make.summary(world.other_board, date(2030, 3, 1))
    made = {
        name: SummaryItem(kind=ItemKind.FINDING, service_id=service.id)
        for name, service in [("answered", world.service), ("unanswered", world.school)]
    }
    summary.items += list(made.values())
    summary.recipients.append(world.other_org)  # which has not answered
    draft.items.append(SummaryItem(kind=ItemKind.FINDING, service_id=world.service.id))
    session.add(
        Response(
            item=made["answered"],
            organisation_id=world.org.id,
            status=ResponseStatus.ACCEPTED,
            what="We will look at it.",
        )
    )
    session.commit()
    script = ScriptDirectory.from_config(migrate.alembic_config(app))
    before = script.get_revision("e3f1a7c9d2b4").down_revision
    try:
        migrate.downgrade(app, before)
        migrate.upgrade(app)
    finally:
        migrate.upgrade(app)
    session.expire_all()
    kept = session.scalars(sa.select(SummaryItem).where(SummaryItem.kind == ItemKind.FINDING))
    (finding,) = kept.all()
    assert finding.id == made["answered"].id and len(finding.responses) == 1
    assert [(link.service_id, link.overall) for link in finding.links] == [
        (world.service.id, False)
    ]
    assert not finding.answerable
    assert queries.waiting_for(session, board_ids={world.board.id}) == []
    assert queries.waiting_for(session, organisation_id=world.other_org.id) == []
