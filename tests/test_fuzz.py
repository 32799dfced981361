"""Property-based fuzzing of every route: random query parameters on every GET, random values
for every form field on every POST, random ids in the path, each signed in as someone who
may use the route (the access matrix says who). Whatever comes in, never a 500.

A handful of examples per route, derandomised: the same inputs on every run, so a failure
is reproducible, and the whole file stays fast. CSRF is off in this app (the CSRF tests are
in test_access.py and test_hostile.py)."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from board import create_app
from board.forms import BaseForm
from board.meetings.models import Meeting
from tests.factories import let_in
from tests.test_access import (
    ADMIN,
    ANON,
    FACILITATOR,
    LEAD,
    MATRIX,
    PARTNER,
    _args_for,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 3))
# Every route with its examples: more than a minute.
pytestmark = pytest.mark.slow


def _rules():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    return sorted(
        (rule.endpoint, rule.rule, sorted(rule.methods & {"GET", "POST"}))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    )


def _form_classes(cls=BaseForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _form_classes(sub)


def _field_names() -> list[str]:
    names = {
        name
        for form in _form_classes()
        for name in dir(form)
        if isinstance(getattr(form, name, None), UnboundField)
    }
    # Read straight from request.form / request.args by views, outside WTForms.
    names |= {"lang", "next", "remove", "decision", "reason", "back", "active", "adjust"}
    names |= {"month", "once", "code", "done", "board", "actor", "action", "page"}
    names |= {f"words-{f}" for f in ("happened", "better", "title", "description")}
    names |= {f"{p}-en-{f}" for p in ("ct",) for f in ("title", "outcome")}
    names |= {"text-en", "text-sq", "text-ar"}
    return sorted(names)


ROUTES = _rules()
FIELDS = _field_names()

ATOMS = [
    "",
    " ",
    "0",
    "1",
    "2",
    "-1",
    "3.5",
    "99999999999999999999",
    "9223372036854775808",
    "1e309",
    "nan",
    "\x00",
    "a\x00b",
    "2030-01-01",
    "2030-02-30",
    "0000-00-00",
    "2030-01",
    "10:00",
    "24:61",
    "en",
    "sq",
    "ar",
    "zz",
    "y",
    "on",
    "true",
    "approve",
    "reject",
    "concern",
    "room",
    "ngo",
    "health",
    "approval",
    "dots",
    "accepted",
    "partly",
    "declined",
    "administrator",
    "facilitator",
    "plus:1",
    "minus:99999999999999999999",
    "happened:0:3",
    "happened:5:1",
    "better:0:99999",
    "1:happened",
    "x:y",
    "Europe/Tirane",
    "Nowhere/Else",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE feedback; --",
    "{{7*7}}",
    "A" * 5000,
    "\u202eevil\u200b",
    "👍🏽",
]
# Tried on every route besides the random examples: all fields at once, and (on POST) each
# field alone in an otherwise well-filled form, so that validation lets it through.
NASTY = ["a\x00b", "99999999999999999999", "A" * 5000, ""]
ONE_AT_A_TIME = ["a\x00b", "99999999999999999999"]
VALUES = st.one_of(st.sampled_from(ATOMS), st.text(max_size=40))
PATH_INTS = st.sampled_from([None, None, 0, 2**31, 2**63, 10**20])


class _Forms(HTMLParser):
    """Every form on a page: its action and, per field, the values the page offers."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self._fields = {}
            self.forms.append((attrs.get("action", ""), self._fields))
        elif self._fields is not None and attrs.get("name"):
            if tag in ("input", "button", "select"):
                values = self._fields.setdefault(attrs["name"], [])
                if "value" in attrs:
                    values.append(attrs["value"])
            elif tag == "textarea":
                self._textarea = attrs["name"]
                self._fields.setdefault(attrs["name"], [])
        if tag == "option" and self._fields is not None and self._select_name():
            self._fields[self._select_name()].append(attrs.get("value", ""))
        if tag == "select" and self._fields is not None:
            self._current_select = attrs.get("name")

    def _select_name(self):
        return getattr(self, "_current_select", None)

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._current_select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._fields is not None and data.strip():
            self._fields[self._textarea].append(data)


_FORMS: dict[str, dict[str, list[str]]] = {}


def _known_forms(app, people, args, code) -> dict[str, dict[str, list[str]]]:
    """Per POST endpoint, the fields (and offered values) of the forms that post to it, found
    by visiting every page each role reaches. Ids are the same in every test (the tables are
    emptied and their sequences restart), so one visit serves the whole file."""
    if _FORMS:
        return _FORMS
    adapter = app.url_map.bind("localhost")
    for role in (FACILITATOR, ADMIN, LEAD, PARTNER, ANON, "child"):
        client = app.test_client()
        if role == "child":
            _join(client, code)
        elif role != ANON:
            with client.session_transaction() as sess:
                sess["_user_id"] = people[role].get_id()
        for endpoint, rule, methods in ROUTES:
            child_page = endpoint.startswith("participate.")
            if "GET" not in methods or child_page != (role == "child"):
                continue
            if role not in ("child", ANON) and role not in MATRIX[endpoint][1]:
                continue
            response = client.get(_url(rule, _args_for(endpoint, args), {}))
            if response.mimetype != "text/html":
                continue
            parser = _Forms()
            parser.feed(response.get_data(as_text=True))
            for action, fields in parser.forms:
                path = urlsplit(action).path or urlsplit(_url(rule, args, {})).path
                try:
                    target, _values = adapter.match(path, method="POST")
                except Exception:  # noqa: BLE001, S112  (a form posting elsewhere)
                    continue
                known = _FORMS.setdefault(target, {})
                for name, values in fields.items():
                    known.setdefault(name, [])
                    known[name].extend(v for v in values if v not in known[name])
    return _FORMS


def _examples(methods, known):
    """The explicit examples of a route (see NASTY)."""
    filled = {name: [values[0] if values else "1"] for name, values in known.items()}
    for method in methods:
        for nasty in NASTY:
            query = {"next": nasty, "code": nasty, "page": nasty, "board": nasty}
            form = {name: [nasty] for name in known}
            yield {"method": method, "query": query, "form": form, "extra": {}, "path": {}}
        if method == "POST":
            for name in known:
                for nasty in ONE_AT_A_TIME:
                    form = {**filled, name: [nasty]}
                    yield {"method": method, "query": {}, "form": form, "extra": {}, "path": {}}


def _role_for(endpoint: str) -> str:
    allowed = MATRIX[endpoint][1]
    for role in (FACILITATOR, ADMIN, LEAD, PARTNER):
        if role in allowed:
            return role
    return ANON


def _join(client, code: str) -> None:
    client.post("/join", data={"code": code})
    client.post("/join/language", data={"lang": "en"})
    client.post("/join/welcome")
    let_in(client)


def _url(rule: str, args: dict, replace: dict[str, int | None]) -> str:
    def fill(match):
        converter, name = match.group(1), match.group(2)
        if converter == "int" and replace.get(name) is not None:
            return str(replace[name])
        return str(args[name])

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule)


@pytest.mark.parametrize(("endpoint", "rule", "methods"), ROUTES, ids=[r[1] for r in ROUTES])
def test_no_input_gives_a_500(app, session, world, endpoint, rule, methods):
    people, args = world.people, world.every_table()
    # Limits would answer 429 before the input reaches the code under test.
    app.config.update(
        LOGIN_FREE_FAILURES=10000,
        LOGIN_LIMIT_PER_CLIENT="10000 per minute",
        JOIN_LIMIT_PER_CLIENT="10000 per minute",
    )
    args = {**_args_for(endpoint, args), "filename": "board.css"}
    code = session.get(Meeting, args["meeting_id"]).join_code
    role = _role_for(endpoint)
    child = endpoint.startswith("participate.")
    ints = re.findall(r"<int:(\w+)>", rule)
    known = _known_forms(app, people, {**args, "filename": "board.css"}, code).get(endpoint, {})
    client = app.test_client()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        method=st.sampled_from(methods),
        query=st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), VALUES, max_size=4),
        # The route's own form, each field offered or hostile; now and then other fields.
        form=st.fixed_dictionaries(
            {},
            optional={
                name: st.lists(
                    st.sampled_from(values) | VALUES if values else VALUES, min_size=1, max_size=3
                )
                for name, values in known.items()
            },
        ),
        extra=st.dictionaries(
            st.sampled_from(FIELDS), st.lists(VALUES, min_size=1, max_size=2), max_size=4
        ),
        path=st.fixed_dictionaries(dict.fromkeys(ints, PATH_INTS)),
    )
    def run(method, query, form, extra, path):
        if child:
            _join(client, code)
        elif role != ANON:
            with client.session_transaction() as sess:
                sess["_user_id"] = people[role].get_id()
        url = _url(rule, args, path)
        if method == "GET":
            response = client.get(url, query_string=query)
        else:
            response = client.post(url, query_string=query, data={**extra, **form})
        response.close()
        assert response.status_code < 500, (method, url, query, form, response.status_code)

    for explicit in _examples(methods, known):
        run = example(**explicit)(run)
    run()
