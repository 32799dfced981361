"""Summaries as data: the CSV rows and the JSON document that the pages' exports and the
read API share. Every figure comes from board.disclosure through the summary's table."""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from board.disclosure import Figure, Level, Row, describe, project
from board.summaries.dashboard import Dashboard, Total
from board.summaries.figures import summary_attendance, summary_table
from board.summaries.models import ItemKind, Summary

RATING_NAMES = ("very bad", "bad", "okay", "good", "very good")


def _median(value: float | None) -> str:
    return "" if value is None else str(value)


LEVEL_NAMES = {
    Level.FIVE: "five ratings",
    Level.THREE: "bad, okay, good",
    Level.TWO: "good against the rest",
    Level.COUNT: "number of ratings only",
    Level.SMALL: "fewer than k",
    Level.NONE: "not shown",
}
GROUP_NAMES = ("bad (1-2)", "okay (3)", "good (4-5)", "the rest (1-3)")


def _groups(row: Row) -> dict[str, int | None]:
    """A row's counts by name, None where its level does not show them."""
    out: dict[str, int | None] = dict.fromkeys((*RATING_NAMES, *GROUP_NAMES))
    shares = row.shares
    if shares is None:
        return out
    if row.level is Level.FIVE:
        out.update(zip(RATING_NAMES, shares, strict=True))
        shares = project(shares, Level.THREE)
    if row.level >= Level.THREE:
        out.update(zip(GROUP_NAMES[:3], shares, strict=True))
        shares = (shares[0] + shares[1], shares[2])
    out["the rest (1-3)"], out["good (4-5)"] = shares
    return out


def figure_rows(session: Session, summary: Summary) -> list[list[str]]:
    """A header, the board's period over all services, then one row per service."""
    k, table = summary.k, summary_table(session, summary)
    header = ["board", "period", "service", "shown as", "ratings", *RATING_NAMES, *GROUP_NAMES]
    rows = [[*header, "median"]]
    lines = [("all services", summary.period, table.overall)]
    lines += [(row.key.name, table.rows_label or "", row) for row in table.rows]
    for name, period, row in lines:
        counts = _groups(row).values()
        rows.append(
            [
                summary.board.name,
                period,
                name,
                LEVEL_NAMES[row.level],
                describe(row.total, k),
                *["-" if c is None else str(c) for c in counts],
                _median(row.median),
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

    def figures(row: Row) -> dict:
        return {
            "shown_as": LEVEL_NAMES[row.level],
            "ratings": figure_value(row.total, k),
            "counts": _groups(row),
            "median": row.median,
        }

    items = []
    for item in summary.items:
        entry: dict[str, object] = {"id": item.id, "kind": item.kind.value, "text": item.words}
        if item.kind is ItemKind.FINDING:
            entry["text"] = item.service.name if item.service else ""
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
        "services_period": table.rows_label,
        "services": [{"service": row.key.name, **figures(row)} for row in table.rows],
        "all_services": figures(table.overall),
        "items": items,
    }


def _total_document(total: Total) -> dict:
    return {
        "ratings": total.ratings,
        "ratings_in_published_splits": total.split,
        "good_or_very_good": total.good_count,
        "good_or_very_good_percent": total.good,
        "ratings_with_five_point_distribution": total.five,
        "counts": dict(zip(RATING_NAMES, total.counts, strict=True)) if total.five else None,
        "percents": dict(zip(RATING_NAMES, total.percents, strict=True)) if total.five else None,
        "mean": total.mean,
        "ratings_too_few_to_break_down": total.unsplit,
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
    header = ["dimension", "value", "ratings", "ratings in published splits"]
    header += ["good or very good", "good or very good %", "ratings with five ratings shown"]
    header += [*RATING_NAMES, "ratings too few to break down", "withheld rows"]
    rows = [header]
    groups = [("all", [data.overall]), ("period", data.by_period)]
    groups += [("category", data.by_category), ("board", data.by_board)]
    for dimension, totals in groups:
        for t in totals:
            counts = [str(c) if t.five else "-" for c in t.counts]
            rows.append(
                [
                    dimension,
                    t.label if dimension != "category" else str(t.key),
                    str(t.ratings),
                    str(t.split),
                    str(t.good_count),
                    "-" if t.good is None else str(t.good),
                    str(t.five),
                    *counts,
                    str(t.unsplit),
                    str(t.withheld),
                ]
            )
    return rows
