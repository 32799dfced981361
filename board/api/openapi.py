"""The OpenAPI 3.1 description of /api/v1. A test validates this document and checks
every endpoint's answers against its schemas, so the two cannot drift apart. Every fact
the code already states (an enum's members, the dashboard form's filters) is taken from
the code, not written again here."""

from __future__ import annotations

from enum import Enum

from wtforms import MonthField, SelectField

from board.boards.models import MIN_THRESHOLD, ServiceCategory
from board.i18n import DEFAULT_LANGUAGE, force_language
from board.summaries.export import GROUP_NAMES as GROUPS
from board.summaries.export import LEVEL_NAMES, XLSX
from board.summaries.export import RATING_NAMES as RATINGS
from board.summaries.forms import DashboardForm
from board.summaries.models import PERIOD_MONTHS, ItemKind, ResponseStatus


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _enum(members: type[Enum]) -> dict:
    return {"enum": [m.value for m in members]}


def _object(properties: dict, required: list[str] | None = None, closed: bool = True) -> dict:
    schema: dict[str, object] = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


MONTH = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}
SUMMARY_ID = {"name": "summary_id", "in": "path", "required": True, "schema": {"type": "integer"}}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}

SCHEMAS = {
    "Error": _object(
        {
            "error": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        required=["error"],
    ),
    "FigureValue": {
        "description": 'A published count; "<k" when fewer than k children (k is the '
        "summary's threshold: the board's when it was published, kept since); null when "
        "not shown to protect a small group, or a group that all, or all but one, agreed.",
        "type": ["integer", "string", "null"],
        "pattern": "^<[0-9]+$",
        "minimum": 0,
    },
    "Counts": {
        "description": "The counts of the level the row is shown at: the five ratings, "
        "bad/okay/good, or good against the rest; null where the level does not show them.",
        **_object(dict.fromkeys((*RATINGS, *GROUPS), NULLABLE_INT)),
    },
    "Percents": _object(dict.fromkeys(RATINGS, NULLABLE_INT)),
    "Figures": _object(
        {
            "shown_as": {"enum": list(LEVEL_NAMES.values())},
            "ratings": _ref("FigureValue"),
            "counts": _ref("Counts"),
            "median": NULLABLE_NUMBER,
        }
    ),
    "ServiceFigures": {
        "type": "object",
        "properties": {
            "service": {"type": "string"},
            "shown_as": {"enum": list(LEVEL_NAMES.values())},
            "ratings": _ref("FigureValue"),
            "counts": _ref("Counts"),
            "median": NULLABLE_NUMBER,
        },
        "required": ["service", "shown_as", "ratings", "counts", "median"],
        "additionalProperties": False,
    },
    "Response": {
        "description": "A partner's answer, newest wording; earlier wordings are kept, "
        "dated, and a withdrawn answer keeps its last words.",
        **_object(
            {
                "organisation": {"type": "string"},
                "status": _enum(ResponseStatus),
                "what": {"type": "string"},
                "by_when": {"type": ["string", "null"], "format": "date"},
                "changed_at": {"type": ["string", "null"], "format": "date-time"},
                "withdrawn": {"type": "boolean"},
                "earlier_versions": {
                    "type": "array",
                    "items": _object(
                        {
                            "status": _enum(ResponseStatus),
                            "what": {"type": "string"},
                            "by_when": {"type": ["string", "null"], "format": "date"},
                            "written_at": {"type": "string", "format": "date-time"},
                        }
                    ),
                },
            }
        ),
    },
    "Item": _object(
        {
            "id": {"type": "integer"},
            "kind": _enum(ItemKind),
            "text": {
                "type": "string",
                "description": 'A quote\'s words; "[withdrawn]" once they were raised as a '
                'safeguarding concern, "[removed after N months]" once the board\'s retention '
                "period deleted them (in the reader's language). The figures stay as published.",
            },
            "month": MONTH,
            "services": {
                "type": "array",
                "items": {"type": "string"},
                "description": "A finding's: the services whose figures it rests on.",
            },
            "all_services": {
                "type": "boolean",
                "description": "A finding's: whether it rests on the figure over all services.",
            },
            "quotes": {
                "type": "array",
                "items": _object({"id": {"type": "integer"}, "text": {"type": "string"}}),
                "description": "A finding's: the quotes it rests on (items of this summary), "
                "their words shown as the quotes' own.",
            },
            "rank": NULLABLE_INT,
            "points": _ref("FigureValue"),
            "responses": {"type": "array", "items": _ref("Response")},
        },
        required=["id", "kind", "text", "responses"],
    ),
    "Summary": _object(
        {
            "id": {"type": "integer"},
            "board": _object(
                {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "country": {"type": "string"},
                }
            ),
            "period": _object(
                {
                    "start": MONTH,
                    "months": {"enum": list(PERIOD_MONTHS)},
                    "label": {"type": "string"},
                }
            ),
            "threshold": {"type": "integer", "minimum": MIN_THRESHOLD},
            "published": {"type": "boolean"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "recipients": {"type": "array", "items": {"type": "string"}},
            "attendance": _ref("FigureValue"),
            "narrative_html": {
                "type": "string",
                "description": "Light formatting only (p, br, strong, em, lists, h3, "
                "blockquote), sanitised.",
            },
            "services_period": {
                "type": ["string", "null"],
                "description": "The period the service rows cover: the summary's own, or "
                "the quarter its month ends for a board that publishes them quarterly; "
                "null when this summary carries none.",
            },
            "services": {"type": "array", "items": _ref("ServiceFigures")},
            "all_services": _ref("Figures"),
            "items": {"type": "array", "items": _ref("Item")},
        }
    ),
    "SummaryRef": _object(
        {
            "id": {"type": "integer"},
            "board": {"type": "string"},
            "country": {"type": "string"},
            "period": {"type": "string"},
            "published_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
        }
    ),
    "SummaryList": _object({"summaries": {"type": "array", "items": _ref("SummaryRef")}}),
    "Total": {
        "description": "Published figures added up, each from the rows that show it: the "
        "share of good or very good from every row published at least as good against the "
        "rest, the five ratings and the mean from rows that showed all five. "
        "ratings_too_few_to_break_down counts ratings in rows shown as a number only; "
        "withheld_rows, rows whose number was not shown either.",
        "type": "object",
        "properties": {
            "ratings": {"type": "integer", "minimum": 0},
            "ratings_in_published_splits": {"type": "integer", "minimum": 0},
            "good_or_very_good": {"type": "integer", "minimum": 0},
            "good_or_very_good_percent": NULLABLE_INT,
            "ratings_with_five_point_distribution": {"type": "integer", "minimum": 0},
            "counts": {
                "oneOf": [
                    _object({name: {"type": "integer", "minimum": 0} for name in RATINGS}),
                    {"type": "null"},
                ]
            },
            "percents": {"oneOf": [_ref("Percents"), {"type": "null"}]},
            "mean": NULLABLE_NUMBER,
            "ratings_too_few_to_break_down": {"type": "integer", "minimum": 0},
            "withheld_rows": {"type": "integer", "minimum": 0},
        },
        "required": [
            "ratings",
            "ratings_in_published_splits",
            "good_or_very_good",
            "good_or_very_good_percent",
            "ratings_with_five_point_distribution",
            "counts",
            "percents",
            "mean",
            "ratings_too_few_to_break_down",
            "withheld_rows",
        ],
    },
    "Dashboard": _object(
        {
            "summaries": {"type": "integer", "minimum": 0},
            "overall": {"allOf": [_ref("Total")], "unevaluatedProperties": False},
            "by_period": {
                "type": "array",
                "items": {
                    "allOf": [_ref("Total")],
                    "properties": {
                        "period": _object(
                            {
                                "start": MONTH,
                                "months": {"enum": list(PERIOD_MONTHS)},
                            }
                        ),
                        "label": {"type": "string"},
                    },
                    "required": ["period", "label"],
                    "unevaluatedProperties": False,
                },
            },
            "by_category": {
                "type": "array",
                "items": {
                    "allOf": [_ref("Total")],
                    "properties": {
                        "category": _enum(ServiceCategory),
                        "label": {"type": "string"},
                    },
                    "required": ["category", "label"],
                    "unevaluatedProperties": False,
                },
            },
            "by_board": {
                "type": "array",
                "items": {
                    "allOf": [_ref("Total")],
                    "properties": {"board": {"type": "integer"}, "label": {"type": "string"}},
                    "required": ["board", "label"],
                    "unevaluatedProperties": False,
                },
            },
        }
    ),
}


def _json(schema: str) -> dict:
    return {"content": {"application/json": {"schema": _ref(schema)}}}


def _error(description: str) -> dict:
    return {"description": description, **_json("Error")}


def figure_parameters() -> list[dict]:
    """/figures takes the dashboard's filters: the form's fields, by their names, English
    labels and choices. A choice every reader is offered (a kind of service) is an enum; a
    choice that depends on the reader's summaries (a country, a board) is not."""
    parameters = []
    with force_language(DEFAULT_LANGUAGE):
        form = DashboardForm(formdata=None).offer([])
        for field in form:
            description = str(field.label.text)
            if field.description:
                description += f". {field.description}"
            if isinstance(field, MonthField):
                schema: dict = MONTH
                description += " (YYYY-MM)"
            elif isinstance(field, SelectField):
                values = [c.value for c in field.iter_choices()]
                schema = {"type": "string"}
                if any(values):  # more than "all"
                    schema = {**schema, "enum": values}
                else:
                    description += (
                        ": a value the dashboard's filter offers your organisation, as it "
                        "appears in the dashboard's address"
                    )
            else:
                continue  # the submit button
            parameters.append(
                {
                    "name": field.name,
                    "in": "query",
                    "required": False,
                    "description": description,
                    "schema": schema,
                }
            )
    return parameters


def document(server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "board: partners' read API",
            "version": "1.0.0",
            "description": "Published summaries and their figures, for the organisation "
            "that holds the token. Every figure went through disclosure control; nothing "
            "unpublished is here.",
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/summaries": {
                "get": {
                    "operationId": "listSummaries",
                    "summary": "The summaries published to your organisation, newest first",
                    "responses": {
                        "200": {"description": "The list", **_json("SummaryList")},
                        "401": _error("No valid token"),
                    },
                }
            },
            "/summaries/{summary_id}": {
                "get": {
                    "operationId": "getSummary",
                    "summary": "One summary, as partners see it",
                    "parameters": [SUMMARY_ID],
                    "responses": {
                        "200": {"description": "The summary", **_json("Summary")},
                        "401": _error("No valid token"),
                        "404": _error("Not a summary sent to your organisation"),
                    },
                }
            },
            **{
                f"/summaries/{{summary_id}}.{kind}": {
                    "get": {
                        "operationId": f"getSummary{kind.upper()}",
                        "summary": title,
                        "parameters": [SUMMARY_ID],
                        "responses": {
                            "200": {
                                "description": "The file, to save",
                                "content": {media: {"schema": {"type": "string"}}},
                            },
                            "401": _error("No valid token"),
                            "404": _error("Not a summary sent to your organisation"),
                        },
                    }
                }
                for kind, media, title in (
                    (
                        "csv",
                        "text/csv",
                        "Every table of one summary in one CSV, each after a line naming it",
                    ),
                    ("xlsx", XLSX, "Every table of one summary, a sheet each"),
                )
            },
            "/figures": {
                "get": {
                    "operationId": "getFigures",
                    "summary": "Published figures added up across boards, kinds of service "
                    "and periods",
                    "parameters": figure_parameters(),
                    "responses": {
                        "200": {"description": "The figures", **_json("Dashboard")},
                        "400": _error("A filter names something unknown, or a bad month"),
                        "401": _error("No valid token"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
    }
