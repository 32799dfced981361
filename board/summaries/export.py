"""Summaries as data: the CSV rows and the JSON document that the pages' exports and the
read API share. Every figure comes from board.disclosure through the summary's table."""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from board.disclosure import Figure, describe
from board.summaries.dashboard import Dashboard, Total
from board.summaries.figures import summary_attendance, summary_table
from board.summaries.findings import AllServices, figures_by_finding
from board.summaries.models import ItemKind, Summary

RATING_NAMES = ("very bad", "bad", "okay", "good", "very good")


def _median(value: float | None) -> str:
    return "" if value is None else str(value)


def figure_rows(session: Session, summary: Summary) -> list[list[str]]:
    """A header and one row per service, then the period over all services."""
    k, table = summary.k, summary_table(session, summary)
    rows = [["board", "period", "service", "ratings", *RATING_NAMES, "median"]]
    for row in [*table.rows, None]:
        name, total, counts, median = (
            ("all services", table.total, table.counts, table.median)
            if row is None
            else (row.key.name, row.total, row.counts, row.median)
        )
        rows.append(
            [
                summary.board.name,
                summary.period,
                name,
                describe(total, k),
                *[describe(f, k) for f in counts],
                _median(median),
            ]
        )
    return rows


def safe_cell(value: str) -> str:
    """No spreadsheet formula can start a cell (CSV injection)."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and value != "-":
        return "'" + value
    return value


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(str(cell)) for cell in row])
    return buffer.getvalue()


def figure_value(figure: Figure, k: int) -> int | str | None:
    """A figure in JSON: the number, or "<k", or null when not shown."""
    if figure.shown:
        return figure.value
    return f"<{k}" if figure.small else None


def summary_document(session: Session, summary: Summary) -> dict:
    """A summary as JSON: what partners see on its page, nothing more."""
    k = summary.k
    table = summary_table(session, summary)

    def figures(total, counts, median, percents) -> dict:
        return {
            "ratings": figure_value(total, k),
            "counts": {n: figure_value(f, k) for n, f in zip(RATING_NAMES, counts, strict=True)},
            "percents": dict(zip(RATING_NAMES, percents, strict=True)),
            "median": median,
        }

    items = []
    rests_on = figures_by_finding(table, summary.items)
    for item in summary.items:
        entry: dict[str, object] = {"id": item.id, "kind": item.kind.value, "text": item.words}
        if item.kind is ItemKind.FINDING:
            rows = rests_on[item.id]
            entry["services"] = [r.key.name for r in rows if not isinstance(r.key, AllServices)]
            entry["all_services"] = any(isinstance(r.key, AllServices) for r in rows)
            entry["quotes"] = [{"id": q.id, "text": q.words} for q in item.quote_links]
        if item.kind is ItemKind.QUOTE:
            entry["month"] = (item.month or summary.month).strftime("%Y-%m")
        if item.kind is ItemKind.ACTION:
            entry["rank"] = item.rank
            entry["points"] = figure_value(Figure(item.points, item.points_small), k)
        entry["responses"] = [
            {
                "organisation": r.organisation.name,
                "status": r.status.value,
                "what": r.what,
                "by_when": r.by_when.isoformat() if r.by_when else None,
            }
            for r in item.responses
        ]
        items.append(entry)
    return {
        "id": summary.id,
        "board": {
            "id": summary.board.id,
            "name": summary.board.name,
            "country": summary.board.country,
        },
        "period": {
            "start": summary.month.strftime("%Y-%m"),
            "months": summary.months,
            "label": summary.period,
        },
        "threshold": k,
        "published": summary.published,
        "published_at": summary.published_at.isoformat() if summary.published_at else None,
        "recipients": [o.name for o in summary.recipients],
        "attendance": figure_value(summary_attendance(session, summary), k),
        "narrative_html": summary.narrative,
        "services": [
            {"service": row.key.name, **figures(row.total, row.counts, row.median, row.percents)}
            for row in table.rows
        ],
        "all_services": figures(table.total, table.counts, table.median, table.percents),
        "items": items,
    }


def _total_document(total: Total) -> dict:
    return {
        "ratings": total.ratings,
        "counts": dict(zip(RATING_NAMES, total.counts, strict=True)),
        "ratings_with_distribution": total.base,
        "percents": dict(zip(RATING_NAMES, total.percents, strict=True)),
        "good_or_very_good_percent": total.good,
        "mean": total.mean,
        "withheld_rows": total.withheld,
    }


def dashboard_document(data: Dashboard) -> dict:
    """The dashboard's figures as JSON: sums of published figures only."""

    def listing(totals: list[Total], name: str, key) -> list[dict]:
        return [{name: key(t), "label": t.label, **_total_document(t)} for t in totals]

    return {
        "summaries": data.summaries,
        "overall": _total_document(data.overall),
        "by_period": listing(
            data.by_period,
            "period",
            lambda t: {"start": t.key[0].strftime("%Y-%m"), "months": t.key[1]},
        ),
        "by_category": listing(data.by_category, "category", lambda t: t.key),
        "by_board": listing(data.by_board, "board", lambda t: t.key),
    }


def dashboard_rows(data: Dashboard) -> list[list[str]]:
    rows = [
        [
            "dimension",
            "value",
            "ratings",
            *RATING_NAMES,
            "ratings with distribution",
            "good or very good %",
            "withheld rows",
        ]
    ]
    groups = [("all", [data.overall]), ("period", data.by_period)]
    groups += [("category", data.by_category), ("board", data.by_board)]
    for dimension, totals in groups:
        for t in totals:
            rows.append(
                [
                    dimension,
                    t.label if dimension != "category" else str(t.key),
                    str(t.ratings),
                    *[str(c) for c in t.counts],
                    str(t.base),
                    "" if t.good is None else str(t.good),
                    str(t.withheld),
                ]
            )
    return rows
