"""Summaries as data: the CSV rows and the JSON document that the pages' exports and the
read API share. Every figure comes from board.disclosure through the summary's table."""

from __future__ import annotations

import csv
import io
import re

from flask import Response as FlaskResponse
from sqlalchemy.orm import Session

from board.disclosure import Figure, Level, Row, project
from board.summaries.dashboard import Dashboard, Total
from board.summaries.figures import summary_attendance, summary_table
from board.summaries.findings import AllServices, figures_by_finding
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


# A formula's first character after a separator a spreadsheet may split on (";" in the
# locales whose list separator it is, a tab on a tab-separated import).
_SPLIT_FORMULA = re.compile(r"([;\t])(?=[=+\-@])")


def safe_cell(value: str) -> str:
    """No spreadsheet formula can start a cell (CSV injection), nor a piece of it that a
    spreadsheet splitting on ";" or a tab would make a cell of its own."""
    value = _SPLIT_FORMULA.sub(r"\1'", value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and value != "-":
        return "'" + value
    return value


def to_csv(rows: list[list[str]]) -> str:
    """Every cell quoted (a spreadsheet splits no quoted cell, whatever its separator) and
    made safe (``safe_cell``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
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
                "changed_at": r.changed_at.isoformat() if r.changed_at else None,
                "withdrawn": r.withdrawn,
                "earlier_versions": [
                    {
                        "status": v.status.value,
                        "what": v.what,
                        "by_when": v.by_when.isoformat() if v.by_when else None,
                        "written_at": v.written_at.isoformat(),
                    }
                    for v in r.versions
                ],
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


# Every table of a summary, for the CSV and the XLSX workbook: made from the JSON document,
# so that the three carry the same figures, all through disclosure control.

Sheet = tuple[str, list[str], list[list]]  # name, header, rows


def _count(value: object) -> object:
    return "-" if value is None else value


def tables(document: dict) -> list[Sheet]:
    """The summary's tables: ratings, votes, attendance, findings, recommendations,
    quotes and answers."""
    board, period = document["board"]["name"], document["period"]["label"]
    rating_header = ["service", "period", "shown as", "ratings", *RATING_NAMES, *GROUP_NAMES]
    ratings = [
        [
            name,
            row_period,
            row["shown_as"],
            _count(row["ratings"]),
            *[_count(row["counts"][n]) for n in (*RATING_NAMES, *GROUP_NAMES)],
            _count(row["median"]),
        ]
        for name, row_period, row in [
            ("all services", period, document["all_services"]),
            *[(s["service"], document["services_period"] or "", s) for s in document["services"]],
        ]
    ]
    items = document["items"]
    votes = [
        [i["id"], _count(i.get("rank")), i["text"], _count(i.get("points"))]
        for i in items
        if i["kind"] == "action"
    ]
    findings = [
        [i["id"], i["text"], _joined(i.get("services")), _joined(i.get("quotes"))]
        for i in items
        if i["kind"] == "finding"
    ]
    recommendations = [[i["id"], i["text"]] for i in items if i["kind"] == "recommendation"]
    quotes = [[i["id"], i.get("month", ""), i["text"]] for i in items if i["kind"] == "quote"]
    answers = [
        [
            i["id"],
            i["kind"],
            r["organisation"],
            "withdrawn" if r["withdrawn"] else r["status"],
            r["what"],
            r["by_when"] or "",
            r["changed_at"] or "",
        ]
        for i in items
        for r in i["responses"]
    ]
    return [
        (
            "summary",
            ["board", "period", "threshold", "published at", "sent to"],
            [
                [
                    board,
                    period,
                    document["threshold"],
                    document["published_at"] or "",
                    ", ".join(document["recipients"]),
                ]
            ],
        ),
        ("ratings", [*rating_header, "median"], ratings),
        ("votes", ["item", "rank", "action", "points"], votes),
        (
            "attendance",
            ["period", "tablets that joined"],
            [[period, _count(document["attendance"])]],
        ),
        ("findings", ["item", "finding", "rests on services", "rests on quotes"], findings),
        ("recommendations", ["item", "recommendation"], recommendations),
        ("quotes", ["item", "month", "words"], quotes),
        (
            "answers",
            ["item", "kind", "organisation", "status", "what", "by when", "changed at"],
            answers,
        ),
    ]


def _joined(values: list | None) -> str:
    return "; ".join(str(v) for v in values or [])


def tables_csv(sheets: list[Sheet]) -> str:
    """Every table, one after the other: its name, its header, its rows, a blank line."""
    rows: list[list] = []
    for name, header, body in sheets:
        rows += [[f"# {name}"], header, *body, []]
    return to_csv([[str(cell) for cell in row] for row in rows])


def tables_xlsx(sheets: list[Sheet]) -> bytes:
    """A workbook, one sheet per table; no cell is ever a formula."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, header, body in sheets:
        sheet = book.create_sheet(title=name[:31])
        sheet.append(header)
        for row in body:
            sheet.append(row)
        for line in sheet.iter_rows():
            for cell in line:
                if cell.data_type == "f":  # text starting with "=": kept as text
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(sheets: list[Sheet], summary: Summary, kind: str) -> FlaskResponse:
    """The summary's tables as a file to save: every table in one CSV, or a workbook."""
    name = f"summary-{summary.board_id}-{summary.month:%Y-%m}-{summary.months}m.{kind}"
    body: str | bytes = tables_csv(sheets) if kind == "csv" else tables_xlsx(sheets)
    return FlaskResponse(
        body,
        mimetype="text/csv" if kind == "csv" else XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
