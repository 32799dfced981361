"""The OpenAPI 3.1 description of /api/v1. A test validates this document and checks
every endpoint's answers against its schemas, so the two cannot drift apart."""

from __future__ import annotations

RATINGS = ("very bad", "bad", "okay", "good", "very good")


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, required: list[str] | None = None, closed: bool = True) -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


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
    "Counts": _object({name: _ref("FigureValue") for name in RATINGS}),
    "Percents": _object(dict.fromkeys(RATINGS, NULLABLE_INT)),
    "Figures": _object(
        {
            "ratings": _ref("FigureValue"),
            "counts": _ref("Counts"),
            "percents": _ref("Percents"),
            "median": NULLABLE_NUMBER,
        }
    ),
    "ServiceFigures": {
        "type": "object",
        "properties": {
            "service": {"type": "string"},
            "ratings": _ref("FigureValue"),
            "counts": _ref("Counts"),
            "percents": _ref("Percents"),
            "median": NULLABLE_NUMBER,
        },
        "required": ["service", "ratings", "counts", "percents", "median"],
        "additionalProperties": False,
    },
    "Response": _object(
        {
            "organisation": {"type": "string"},
            "status": {"enum": ["accepted", "partly", "declined"]},
            "what": {"type": "string"},
            "by_when": {"type": ["string", "null"], "format": "date"},
        }
    ),
    "Item": _object(
        {
            "id": {"type": "integer"},
            "kind": {"enum": ["finding", "recommendation", "quote", "action"]},
            "text": {
                "type": "string",
                "description": "A quote's words; \"[withdrawn]\" once they were raised as a "
                "safeguarding concern, \"[removed after N months]\" once the board's retention "
                "period deleted them (in the reader's language). The figures stay as published.",
            },
            "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
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
                    "start": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                    "months": {"enum": [1, 3]},
                    "label": {"type": "string"},
                }
            ),
            "threshold": {"type": "integer", "minimum": 3},
            "published": {"type": "boolean"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "recipients": {"type": "array", "items": {"type": "string"}},
            "attendance": _ref("FigureValue"),
            "narrative_html": {
                "type": "string",
                "description": "Light formatting only (p, br, strong, em, lists, h3, "
                "blockquote), sanitised.",
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
        "description": "Published figures added up; hidden counts are left out, and "
        "withheld_rows says how many service rows had no published number of ratings.",
        "type": "object",
        "properties": {
            "ratings": {"type": "integer", "minimum": 0},
            "counts": _object({name: {"type": "integer", "minimum": 0} for name in RATINGS}),
            "ratings_with_distribution": {"type": "integer", "minimum": 0},
            "percents": _ref("Percents"),
            "good_or_very_good_percent": NULLABLE_INT,
            "mean": NULLABLE_NUMBER,
            "withheld_rows": {"type": "integer", "minimum": 0},
        },
        "required": [
            "ratings",
            "counts",
            "ratings_with_distribution",
            "percents",
            "good_or_very_good_percent",
            "mean",
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
                                "start": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                                "months": {"enum": [1, 3]},
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
                    "properties": {"category": {"type": "string"}, "label": {"type": "string"}},
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


MONTH = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}


def document(server: str) -> dict:
    def query(name: str, description: str, schema: dict) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }

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
                    "parameters": [
                        {
                            "name": "summary_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {"description": "The summary", **_json("Summary")},
                        "401": _error("No valid token"),
                        "404": _error("Not a summary sent to your organisation"),
                    },
                }
            },
            "/figures": {
                "get": {
                    "operationId": "getFigures",
                    "summary": "Published figures added up across boards, kinds of service "
                    "and periods",
                    "parameters": [
                        query(
                            "country", "Two-letter country code of the boards", {"type": "string"}
                        ),
                        query("board", "A board's id", {"type": "string", "pattern": "^[0-9]+$"}),
                        query("category", "A kind of service", {"type": "string"}),
                        query("start", "First month (YYYY-MM)", MONTH),
                        query("end", "Last month (YYYY-MM)", MONTH),
                    ],
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
