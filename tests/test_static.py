"""Static files and compressed pages (issue 16, item 1): a tablet on a poor link keeps every
static file it has under a content-hashed name and never asks for it again; what it does
fetch comes compressed; pages stay out of every cache and are compressed only when no
other site started the request (BREACH, board/compression.py)."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from board import assets

STATIC = re.compile(r'(?:src|href)="(/static/[^"]+)"')
HASHED = re.compile(r"^/static/(.+)\.[0-9a-f]{12}(\.\w+)$")
YEAR = 365 * 24 * 3600


@pytest.fixture
def client(make_app):
    """Forms carry their CSRF token, as in production: the secret BREACH would be after."""
    return make_app(WTF_CSRF_ENABLED=True).test_client()


@pytest.fixture
def app(client):
    return client.application


def _max_age(response) -> int:
    match = re.search(r"max-age=(\d+)", response.headers.get("Cache-Control", ""))
    assert match, response.headers.get("Cache-Control")
    return int(match.group(1))


def _get(client, path, **headers):
    """The response with its body read and the file behind it closed."""
    response = client.get(path, headers=headers)
    response.body = response.get_data()
    response.close()
    return response


def _decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.body)
    if encoding == "gzip":
        return gzip.decompress(response.body)
    assert encoding is None, encoding
    return response.body


@pytest.mark.parametrize("path", ["/join", "/login"])
def test_pages_name_static_files_by_their_content(client, app, path):
    html = _get(client, path).body.decode()
    links = STATIC.findall(html)
    assert any(link.endswith(".css") for link in links)
    for link in links:
        match = HASHED.match(link)
        assert match, link
        name = match.group(1) + match.group(2)
        with open(f"{app.static_folder}/{name}", "rb") as file:
            source = file.read()
        assert link == "/static/" + assets.hashed_name(name, source)
        response = _get(client, link, **{"Accept-Encoding": "identity"})
        assert response.status_code == 200, link
        assert response.body == source


def test_a_hashed_file_is_cached_for_good(client, app):
    with app.test_request_context():
        from flask import url_for

        css = url_for("static", filename="board.css")
    response = _get(client, css)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]
    assert _max_age(response) >= YEAR
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_by_its_own_name_still_works_briefly_cached(client, app):
    response = _get(client, "/static/board.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    assert 0 < _max_age(response) <= 3600
    assert "no-store" not in response.headers["Cache-Control"]
    with open(f"{app.static_folder}/board.css", "rb") as source:
        assert _decoded(response) == source.read()


@pytest.mark.parametrize(
    ("accepted", "sent"), [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")]
)
@pytest.mark.parametrize("name", ["board.css", "js/tablet.js", "icons/talk_adult.svg"])
def test_static_files_come_precompressed(client, app, name, accepted, sent):
    with app.test_request_context():
        from flask import url_for

        link = url_for("static", filename=name)
    with open(f"{app.static_folder}/{name}", "rb") as source:
        original = source.read()
    response = _get(client, link, **{"Accept-Encoding": accepted})
    assert response.headers["Content-Encoding"] == sent
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(response.body) < len(original)
    assert _decoded(response) == original
    plain = _get(client, link, **{"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.body == original


@pytest.mark.parametrize("accepted", ["br", "gzip"])
@pytest.mark.parametrize("path", ["/join", "/login"])
def test_pages_come_compressed_and_never_cached(client, path, accepted):
    response = _get(client, path, **{"Accept-Encoding": accepted})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == accepted
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"
    assert b'name="csrf_token"' in _decoded(response)
    plain = _get(client, path)
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Cache-Control"] == "no-store"


# BREACH: a page with a secret (the CSRF token) that reflects the request (the code typed in
# the address) is compressed only for requests no other site started.


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_a_page_the_browser_asked_for_itself_is_compressed(client, site):
    response = _get(
        client, "/join?code=ABC123", **{"Accept-Encoding": "br", "Sec-Fetch-Site": site}
    )
    assert response.headers["Content-Encoding"] == "br"
    assert b'value="ABC123"' in _decoded(response)


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_page_another_site_asked_for_is_not_compressed(client, site):
    headers = {"Accept-Encoding": "br, gzip", "Sec-Fetch-Site": site}
    response = _get(client, "/join?code=ABC123", **headers)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b'value="ABC123"' in response.body and b'name="csrf_token"' in response.body
    assert response.headers["Cache-Control"] == "no-store"


def test_over_https_a_request_that_does_not_say_where_it_came_from_is_not_compressed(client):
    response = client.get("/join", base_url="https://localhost", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    asked = client.get(
        "/join",
        base_url="https://localhost",
        headers={"Accept-Encoding": "br", "Sec-Fetch-Site": "same-origin"},
    )
    assert asked.headers["Content-Encoding"] == "br"


@pytest.mark.parametrize(
    "path",
    [
        "/static/nothing-here.css",
        "/static/board.000000000000.css",
        "/static/js/",
        "/static/js",
        "/static/../board/__init__.py",
        "/static/%2e%2e/board/__init__.py",
        "/static/board.css.br",
    ],
)
def test_an_unknown_static_file_is_not_found(client, path):
    assert _get(client, path, **{"Accept-Encoding": "br"}).status_code == 404


def test_a_changed_file_gets_a_new_name_and_the_old_one_stays(tmp_path):
    source, built = tmp_path / "static", tmp_path / "built"
    (source / "js").mkdir(parents=True)
    script = source / "js" / "tablet.js"
    script.write_text("console.log('first version');\n" * 40)
    first = assets.build(source, built)["js/tablet.js"]
    assert re.fullmatch(r"js/tablet\.[0-9a-f]{12}\.js", first)
    assert assets.build(source, built)["js/tablet.js"] == first  # the same content, the same name
    script.write_text("console.log('the second version, longer');\n" * 40)
    second = assets.build(source, built)["js/tablet.js"]
    assert second != first
    assert (built / second).read_text() == script.read_text()
    assert (built / first).read_text() == "console.log('first version');\n" * 40
    assert brotli.decompress((built / (second + ".br")).read_bytes()) == script.read_bytes()
    assert gzip.decompress((built / (second + ".gz")).read_bytes()) == script.read_bytes()


def test_a_file_that_does_not_shrink_has_no_compressed_copy(tmp_path):
    source, built = tmp_path / "static", tmp_path / "built"
    source.mkdir()
    (source / "tiny.svg").write_text("<svg/>")
    name = assets.build(source, built)["tiny.svg"]
    assert (built / name).read_text() == "<svg/>"
    assert not (built / (name + ".br")).exists() and not (built / (name + ".gz")).exists()


def test_the_copies_go_where_the_settings_say(make_app, tmp_path):
    app = make_app(STATIC_BUILD_FOLDER=str(tmp_path / "built"))
    with app.test_request_context():
        from flask import url_for

        css = url_for("static", filename="board.css").removeprefix("/static/")
    assert (tmp_path / "built" / css).is_file()
    assert (tmp_path / "built" / (css + ".br")).is_file()
    assert _get(app.test_client(), f"/static/{css}").status_code == 200
