"""The partners' read API: tokens made and revoked by administrators and kept hashed,
only what was published to the token's organisation, and an OpenAPI 3.1 document that
validates and matches every answer the endpoints give."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate
from referencing import Registry
from wtforms import SelectField

from board.api import openapi
from board.api import services as tokens
from board.api.models import ApiToken
from board.audit.models import AuditEntry
from board.auth.models import Role
from board.boards.models import ServiceCategory
from board.forms import choices
from board.summaries import queries, services
from board.summaries.export import GROUP_NAMES, LEVEL_NAMES, RATING_NAMES
from board.summaries.findings import FindingDraft
from board.summaries.forms import DashboardForm
from board.summaries.models import PERIOD_MONTHS, ItemKind, ResponseStatus
from tests.factories import after, csv_table, once_token


@pytest.fixture
def world(session, make):
    """A summary of January 2030 published to City hall with a finding on the Clinic's
    figures and a quote (``world.summary``), one of another board to another partner
    (``theirs``), a draft of February, and City hall's API token (``secret``)."""
    world = make.world(name="Tirana", threshold_k=3)
    board, foreign, clinic = world.board, world.other_board, world.service
    foreign.name, foreign.threshold_k = "Foreign", 3
    world.city, world.foreign = world.org, foreign
    make.held(board, date(2030, 1, 9), {clinic: [4, 4, 4, 5, 5, 1]}, texts=["The nurse was kind."])
    make.held(foreign, date(2030, 1, 9), {make.service(foreign): [5, 5, 5]})
    world.summary = summary = make.summary(board, date(2030, 1, 1))
    with make.app.app_context():
        key = queries.quotable(session, summary)[0][0]
        finding = FindingDraft("The nurse is kind.", [clinic.id], overall=True, quotes=[key])
        services.save_draft(
            session,
            None,
            summary,
            narrative="<p>Hi</p>",
            recommendations=["More"],
            quotes=[key],
            findings=[finding],
        )
        with after(summary.month):
            services.publish(session, None, summary)
    world.theirs = make.summary(foreign, date(2030, 1, 1), publish=True)
    make.held(board, date(2030, 2, 9), {clinic: [3, 3, 3]})
    world.draft = make.summary(board, date(2030, 2, 1))
    _token, world.secret = tokens.create_token(session, world.admin, world.org, "City BI")
    session.commit()
    return world


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def spec(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)  # a valid OpenAPI 3.1 document
    return document


def check(spec, path, method, response):
    """The answer matches the schema the document gives for this path and status."""
    operation = spec["paths"][path][method]
    schema = operation["responses"][str(response.status_code)]["content"]["application/json"]
    registry = Registry().with_resource("urn:spec", _resource(spec))
    validator = Draft202012Validator(
        {"$ref": "urn:spec#/components/schemas/" + schema["schema"]["$ref"].rsplit("/", 1)[1]},
        registry=registry,
        format_checker=FormatChecker(),
    )
    errors = [e.message for e in validator.iter_errors(response.json)]
    assert not errors, errors


def _resource(spec):
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012.create_resource(spec)


def test_every_answer_matches_the_document(client, world, spec):
    auth = bearer(world["secret"])
    listing = client.get("/api/v1/summaries", headers=auth)
    check(spec, "/summaries", "get", listing)
    assert [s["id"] for s in listing.json["summaries"]] == [world["summary"].id]
    one = client.get(f"/api/v1/summaries/{world['summary'].id}", headers=auth)
    check(spec, "/summaries/{summary_id}", "get", one)
    kinds = {i["kind"] for i in one.json["items"]}
    assert {"finding", "recommendation", "quote"} <= kinds
    assert one.json["services"][0]["ratings"] == 6
    figures = client.get("/api/v1/figures", headers=auth)
    check(spec, "/figures", "get", figures)
    assert figures.json["overall"]["ratings"] == 6
    bad = client.get("/api/v1/figures?start=2030-13", headers=auth)
    assert bad.status_code == 400 and "start" in bad.json["fields"]
    check(spec, "/figures", "get", bad)
    missing = client.get("/api/v1/summaries/999999", headers=auth)
    check(spec, "/summaries/{summary_id}", "get", missing)
    anonymous = client.get("/api/v1/summaries")
    check(spec, "/summaries", "get", anonymous)


def test_tokens_are_needed_and_checked(client, world):
    assert client.get("/api/v1/summaries").status_code == 401
    assert client.get("/api/v1/summaries").headers["WWW-Authenticate"].startswith("Bearer")
    forged = "brd_" + "A" * 43
    for header in (bearer(forged), bearer("x"), {"Authorization": f"Basic {world['secret']}"}):
        assert client.get("/api/v1/summaries", headers=header).status_code == 401


def test_only_what_was_published_to_the_organisation(client, world):
    auth = bearer(world["secret"])
    assert client.get(f"/api/v1/summaries/{world['theirs'].id}", headers=auth).status_code == 404
    assert client.get(f"/api/v1/summaries/{world['draft'].id}", headers=auth).status_code == 404
    foreign = client.get(f"/api/v1/figures?board={world['foreign'].id}", headers=auth)
    assert foreign.status_code == 400
    assert client.get("/api/v1/figures?board=abc", headers=auth).status_code == 400


def test_the_api_serves_the_summary_as_files(client, world):
    """The same tables as the pages' exports: one CSV, or a workbook a sheet a table."""
    from openpyxl import load_workbook

    auth = bearer(world["secret"])
    mine, theirs = world["summary"].id, world["theirs"].id
    text = client.get(f"/api/v1/summaries/{mine}.csv", headers=auth)
    assert text.status_code == 200 and text.mimetype == "text/csv"
    header, rows = csv_table(text.get_data(as_text=True), "ratings")
    assert header[:3] == ["service", "period", "shown as"] and rows[0][0] == "all services"
    book = client.get(f"/api/v1/summaries/{mine}.xlsx", headers=auth)
    assert book.status_code == 200
    sheets = load_workbook(io.BytesIO(book.data)).sheetnames
    assert "ratings" in sheets and "answers" in sheets
    for suffix in (".csv", ".xlsx"):
        assert client.get(f"/api/v1/summaries/{theirs}{suffix}", headers=auth).status_code == 404
        assert client.get(f"/api/v1/summaries/{mine}{suffix}").status_code == 401


def test_a_signed_in_session_does_not_open_the_api(client, auth, world, make, session):
    partner = make.user(Role.PARTNER, organisation=world["city"])
    session.commit()
    auth.as_user(partner)
    assert client.get("/api/v1/summaries").status_code == 401


def test_administrators_make_and_revoke_tokens(client, auth, session, world):
    auth.as_user(world["admin"])
    city = world["city"]
    page = client.post(f"/admin/organisations/{city.id}/tokens", data={"name": "Reports"})
    assert page.status_code == 200
    secret = re.search(r'<code class="secret">(brd_[^<]+)</code>', page.get_data(True)).group(1)
    assert client.get("/api/v1/summaries", headers=bearer(secret)).status_code == 200
    # Kept as a hash only: the secret is in no column.
    stored = session.scalars(sa.select(ApiToken).where(ApiToken.name == "Reports")).one()
    assert secret not in (stored.token_hash, stored.prefix) and stored.prefix == secret[:10]
    assert secret not in client.get(f"/admin/organisations/{city.id}/tokens").get_data(True)
    tokens_page = client.get(f"/admin/organisations/{city.id}/tokens").get_data(True)
    assert f'href="/admin/tokens/{stored.id}/revoke"' in tokens_page  # a question first
    question = client.get(f"/admin/tokens/{stored.id}/revoke").get_data(True)
    assert "Revoke this API token?" in question and "It has never been used." not in question
    assert "the systems of City" in question and stored.prefix in question
    assert client.post(f"/admin/tokens/{stored.id}/revoke").status_code == 400  # no answer
    assert client.get("/api/v1/summaries", headers=bearer(secret)).status_code == 200
    token = once_token(question)
    answer = client.post(f"/admin/tokens/{stored.id}/revoke", data={"once": token})
    assert answer.status_code == 302
    assert client.get("/api/v1/summaries", headers=bearer(secret)).status_code == 401
    # Sent again: refused, nothing revoked or audited twice.
    again = client.post(f"/admin/tokens/{stored.id}/revoke", data={"once": token})
    assert again.status_code == 409 and "This token is revoked already." in again.get_data(True)
    revoked = sa.select(sa.func.count()).select_from(AuditEntry)
    assert session.scalar(revoked.where(AuditEntry.action == "token.revoke")) == 1
    assert client.get("/api/v1/summaries", headers=bearer(world["secret"])).status_code == 200
    empty = client.post(f"/admin/organisations/{city.id}/tokens", data={"name": "  "})
    assert empty.status_code == 400


def test_only_administrators_manage_tokens(client, auth, make, session, world):
    partner = make.user(Role.PARTNER, organisation=world["city"])
    session.commit()
    auth.as_user(partner)
    assert client.get(f"/admin/organisations/{world['city'].id}/tokens").status_code == 403


def test_the_check_catches_a_drift(client, world, spec):
    """An answer with a field the document does not describe fails the check."""

    class Answer:
        status_code = 200
        json = client.get("/api/v1/figures", headers=bearer(world["secret"])).json

    Answer.json["by_board"][0]["median"] = 3
    with pytest.raises(AssertionError, match="median"):
        check(spec, "/figures", "get", Answer)


def test_the_document_takes_its_enums_from_the_code(spec):
    """A member added to one of these enums shows in the document without editing it."""
    schemas = spec["components"]["schemas"]
    assert schemas["Item"]["properties"]["kind"]["enum"] == [k.value for k in ItemKind]
    assert schemas["Response"]["properties"]["status"]["enum"] == [s.value for s in ResponseStatus]
    by_category = schemas["Dashboard"]["properties"]["by_category"]["items"]["properties"]
    assert by_category["category"]["enum"] == [c.value for c in ServiceCategory]
    period = schemas["Summary"]["properties"]["period"]["properties"]
    assert period["months"]["enum"] == list(PERIOD_MONTHS)
    counts = set(schemas["Counts"]["properties"])  # jsonify sorts keys
    assert counts == set(RATING_NAMES) | set(GROUP_NAMES)
    assert schemas["Figures"]["properties"]["shown_as"]["enum"] == list(LEVEL_NAMES.values())
    assert set(schemas["Percents"]["properties"]) == set(RATING_NAMES)


def test_the_figures_filters_are_the_dashboard_form(app, spec, monkeypatch):
    """/figures is described by the dashboard form's fields: their names, English labels and
    the choices every reader gets; a filter added to the form shows in the document."""
    parameters = {p["name"]: p for p in spec["paths"]["/figures"]["get"]["parameters"]}
    with app.test_request_context():
        fields = [f.name for f in DashboardForm(formdata=None) if f.type != "SubmitField"]
    assert list(parameters) == fields == ["country", "board", "category", "start", "end"]
    assert parameters["category"]["description"] == "Kind of service"
    assert parameters["category"]["schema"]["enum"] == ["", *[c.value for c in ServiceCategory]]
    assert parameters["start"]["schema"] == openapi.MONTH
    assert "enum" not in parameters["board"]["schema"]  # a reader's own boards only

    class Wider(DashboardForm):
        language = SelectField("Language", choices=choices([("", "All"), ("sq", "Shqip")]))

    monkeypatch.setattr(openapi, "DashboardForm", Wider)
    with app.test_request_context(headers={"Accept-Language": "sq"}):
        added = openapi.document("http://localhost/api/v1")
    added = added["paths"]["/figures"]["get"]["parameters"][-1]
    assert added["name"] == "language" and added["schema"]["enum"] == ["", "sq"]
