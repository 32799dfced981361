"""Findings: what the facilitator concludes, in plain words, from the period's figures and
the children's approved words. A finding is a summary item (kind FINDING) with links to
what it rests on (``FindingLink``): services' figures, the board's figure over all
services, quotes of the same summary. This module holds what the draft form hands to
``services.save_draft`` and what pages and exports show beside a finding; the rules live in
``services.save_draft``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from board.boards.models import Service
from board.disclosure import Row
from board.summaries import figures
from board.summaries.models import Summary, SummaryFigure, SummaryItem

# The form's value for the board's figure over all services.
ALL_SERVICES = "all"


@dataclass(frozen=True)
class FindingDraft:
    """One finding as typed: its words, and what it rests on (service ids, the figure over
    all services, quote keys "<feedback id>:<field>")."""

    text: str
    services: list[int] = field(default_factory=list)
    overall: bool = False
    quotes: list[str] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        return bool(self.services or self.overall or self.quotes)


@dataclass(frozen=True)
class AllServices:
    """The key of the row that stands for the board's figure over all services."""

    name: str
    id: None = None


def rated_services(session: Session, summary: Summary) -> list[Service]:
    """The services rated in the summary's period: the figures a finding can rest on."""
    return list(figures.rating_counts(session, summary.board, summary.month, summary.months))


def _service_id(row: Row) -> int | None:
    key = row.key
    return key.service_id if isinstance(key, SummaryFigure) else key.id


def figures_by_finding(table: figures.Ratings, items: list[SummaryItem]) -> dict[int, list[Row]]:
    """Per finding (by item id), the rows of the summary's figures it rests on, in the order
    they were linked: a service's row matched by the service's id (a Service in a draft, a
    SummaryFigure once published), the board's figure over all services as a row of its
    own. A service no longer in the table (its ratings taken out since, or its rows
    published with the quarter) is left out."""
    rows = {_service_id(row): row for row in table.rows}
    overall = replace(table.overall, key=AllServices(str(_l("All services"))))
    out: dict[int, list[Row]] = {}
    for item in items:
        found = []
        for link in item.links:
            if link.overall:
                found.append(overall)
            elif link.service_id is not None and link.service_id in rows:
                found.append(rows[link.service_id])
        out[item.id] = found
    return out
