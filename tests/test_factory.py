"""The app factory, configuration, health check and security basics."""

from __future__ import annotations

import stat

import pytest

from board import create_app
from board.auth import services as accounts


def test_configuration_precedence(tmp_path, monkeypatch, database_url):
    """Defaults < instance/config.py < BOARD_* environment < the test's overrides."""
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        "INVITATION_TTL_HOURS = 10\nMAIL_FROM = 'instance@example.org'\nBASE_URL = 'instance'\n"
    )
    monkeypatch.setenv("BOARD_MAIL_FROM", "env@example.org")
    monkeypatch.setenv("BOARD_BASE_URL", "env")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(instance))
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "BASE_URL": "test"})
    assert app.config["JOIN_LIMIT_PER_CLIENT"] == "120 per minute"  # default
    assert app.config["INVITATION_TTL_HOURS"] == 10  # instance
    assert app.config["MAIL_FROM"] == "env@example.org"  # environment
    assert app.config["BASE_URL"] == "test"  # test override


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch, database_url):
    instance = tmp_path / "instance"
    monkeypatch.delenv("BOARD_SECRET_KEY", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(instance))
    first = create_app({"TESTING": True, "DATABASE_URL": database_url})
    second = create_app({"TESTING": True, "DATABASE_URL": database_url})
    key_file = instance / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = tmp_path / "other"
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(other))
    assert (
        create_app({"TESTING": True, "DATABASE_URL": database_url}).secret_key != first.secret_key
    )


def test_production_keeps_the_slow_password_hash(database_url, session, make):
    """Only the tests' configuration names a cheap method; the default is scrypt."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    user = make.user()
    with app.app_context():
        accounts.set_password(session, user, "a long new passphrase")
    assert user.password_hash.startswith("scrypt:")


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("BOARD_DATABASE_URL", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'board.sqlite3'}"


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-dir/for/board/test.sqlite3",
        "postgresql+psycopg://nobody@127.0.0.1:1/x",
    ],
)
def test_healthz_is_503_without_a_database(make_app, url):
    app = make_app(DATABASE_URL=url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags_outside_development(make_app, database_url):
    app = make_app(TESTING=False, SESSION_COOKIE_SECURE=None)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_set_by_sign_in_is_httponly_and_lax(client, make, auth):
    make.user(email="a@example.org")
    make.commit()
    response = auth.login("a@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_oversized_request_gets_413(client):
    response = client.post("/login", data={"email": "x" * (600 * 1024), "password": "y"})
    assert response.status_code == 413
    assert b"Too much was sent" in response.data


def test_error_pages_are_translated_and_have_no_stack_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    client.post("/language", data={"lang": "sq", "next": "/"})
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert 'lang="sq"' in response.get_data(as_text=True)
    assert b"Page not found" not in response.data


def test_create_app_does_no_database_io(monkeypatch, database_url):
    """Building the app connects to nothing: the engine is made on first use."""
    import sqlalchemy

    def refuse(*args, **kwargs):
        raise AssertionError("create_app must not create an engine")

    monkeypatch.setattr(sqlalchemy, "create_engine", refuse)
    monkeypatch.setattr("board.db.sa.create_engine", refuse)
    create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x"})
