"""Nothing made from the database is kept in a cache (issue 13, item 9): exports of
summaries and of the dashboard, and every /api/v1 answer, are sent with
``Cache-Control: no-store``, as pages already were. A shared office computer's browser
cache, or a proxy, would otherwise keep what a partner downloaded for the next person."""

from __future__ import annotations

from datetime import date

import pytest

from board.api import services as tokens


@pytest.fixture
def world(session, make):
    """January 2030's summary published to City hall (``world.summary``), City hall's API
    token (``world.secret``)."""
    world = make.world(threshold_k=3)
    make.held(world.board, date(2030, 1, 9), {world.service: [4, 4, 4, 5, 5, 1]})
    world.summary = make.summary(world.board, date(2030, 1, 1), publish=True)
    _token, world.secret = tokens.create_token(session, world.admin, world.org, "BI")
    session.commit()
    return world


def _no_store(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_summary_exports_are_not_cached(client, auth, world, suffix):
    auth.as_user(world["partner"])
    _no_store(client.get(f"/summaries/{world['summary'].id}{suffix}"))


@pytest.mark.parametrize("path", ["/dashboard.csv", "/dashboard.json"])
def test_dashboard_exports_are_not_cached(client, auth, world, path):
    auth.as_user(world["partner"])
    _no_store(client.get(path))
    _no_store(client.get(path, query_string={"start": "not a month"}), 400)


def test_every_api_answer_is_not_cached(client, world):
    headers = {"Authorization": f"Bearer {world['secret']}"}
    _no_store(client.get("/api/v1/openapi.json"))
    _no_store(client.get("/api/v1/summaries", headers=headers))
    _no_store(client.get(f"/api/v1/summaries/{world['summary'].id}", headers=headers))
    _no_store(client.get("/api/v1/figures", headers=headers))
    _no_store(client.get("/api/v1/summaries/999999", headers=headers), 404)
    _no_store(client.get("/api/v1/summaries"), 401)


def test_static_files_may_still_be_cached(client):
    response = client.get("/static/board.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()
