"""The partners' read API (/api/v1): the same published summaries and dashboard figures
as the pages, as JSON, for one organisation's token. Nothing here writes, except the
hour a token was last used."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from board.api import services
from board.api.openapi import document
from board.db import db
from board.summaries import dashboard, export, queries
from board.summaries.forms import DashboardForm
from board.summaries.models import Summary, SummaryState

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    token = services.authenticate(db, secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        response = jsonify(error=_("A valid API token is needed."))
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="board"'
        return response
    db.commit()  # the hour it was last used
    g.api_token = token
    return None


@bp.errorhandler(HTTPException)
def as_json(error: HTTPException):
    response = jsonify(error=error.description or error.name)
    response.status_code = error.code or 500
    return response


def _audience() -> dashboard.Audience:
    return dashboard.Audience(organisation_id=g.api_token.organisation_id)


def _received() -> sa.Select:
    return sa.select(Summary).where(_audience().condition())


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(url_for("api.openapi", _external=True).rsplit("/", 1)[0]))


@bp.get("/summaries")
def summaries():
    rows = db.scalars(
        _received()
        .options(selectinload(Summary.board))
        .order_by(Summary.published_at.desc(), Summary.id.desc())
    )
    return jsonify(
        summaries=[
            {
                "id": s.id,
                "board": s.board.name,
                "country": s.board.country,
                "period": s.period,
                "published_at": s.published_at.isoformat(),
                "url": url_for("api.summary", summary_id=s.id, _external=True),
            }
            for s in rows
        ]
    )


def _summary(summary_id: int) -> Summary:
    found = db.scalar(_received().where(Summary.id == summary_id).options(*queries.WHOLE_SUMMARY))
    if found is None or found.state is not SummaryState.PUBLISHED:
        abort(404, _("No summary with this number was sent to your organisation."))
    return found


@bp.get("/summaries/<int:summary_id>")
def summary(summary_id: int):
    return jsonify(export.summary_document(db, _summary(summary_id)))


@bp.get("/summaries/<int:summary_id>.csv", defaults={"kind": "csv"})
@bp.get("/summaries/<int:summary_id>.xlsx", defaults={"kind": "xlsx"})
def summary_file(summary_id: int, kind: str):
    """The same summary as every table in one CSV, or as a workbook of one sheet a table."""
    found = _summary(summary_id)
    return export.download(export.tables(export.summary_document(db, found)), found, kind)


@bp.get("/figures")
def figures():
    audience = _audience()
    form = DashboardForm(formdata=request.args).offer(dashboard.boards_for(db, audience))
    if not form.validate():
        response = jsonify(
            error=_("Please correct the filters."),
            fields={name: [str(e) for e in errors] for name, errors in form.errors.items()},
        )
        response.status_code = 400
        return response
    return jsonify(export.dashboard_document(dashboard.build(db, audience, form.filters())))
