"""board: child consultation boards. ``create_app`` wires the application; it does no I/O
beyond reading configuration and the static files (and writing, once, a generated secret key
and the static files' hashed, compressed copies: board.assets)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["create_app"]


def _secret_key(instance_path: str) -> str:
    """Read instance/secret_key, creating it with a random value on first run."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object("board.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BOARD")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("DATABASE_URL"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'board.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        development = app.debug or app.testing
        app.config["SESSION_COOKIE_SECURE"] = not development
        app.config["REMEMBER_COOKIE_SECURE"] = not development


def _template_context():
    from board.i18n import LANGUAGES, STAFF_LANGUAGES, current_language, direction, html_lang

    code = current_language()
    return {
        "LANGUAGES": LANGUAGES,
        "STAFF_LANGUAGES": STAFF_LANGUAGES,
        "current_language": code,
        "html_lang": html_lang(code),
        "text_direction": direction(code),
    }


def _template_globals(app: Flask) -> None:
    """What templates compare against and show: states as enums (never their strings), and
    the five faces' words in one place."""
    from board.auth.models import Role
    from board.feedback.models import RATINGS
    from board.meetings.models import MeetingState
    from board.moderation.models import ConcernState, ConcernUrgency
    from board.summaries.models import ItemKind
    from board.voting.models import BallotMethod

    app.jinja_env.globals.update(
        RATINGS=RATINGS,
        Role=Role,
        MeetingState=MeetingState,
        ConcernState=ConcernState,
        ConcernUrgency=ConcernUrgency,
        ItemKind=ItemKind,
        BallotMethod=BallotMethod,
    )


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: defaults, instance/config.py, BOARD_* variables, test overrides."""
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, test_config)

    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
        )

    from board import (
        assets,
        cli,
        compression,
        cookie,
        db,
        ended,
        errors,
        i18n,
        logs,
        mail,
        security,
    )
    from board.auth import signin, throttle
    from board.extensions import csrf, limiter, login_manager
    from board.participate import tablet
    from board.voting import box as ballot_box

    assets.init_app(app)  # WhiteNoise answers /static/ before Flask sees the request
    compression.init_app(app)  # first registered: compresses after every other after_request
    db.init_app(app)
    mail.init_app(app)
    cookie.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    ended.init_app(app)
    ballot_box.init_app(app)
    throttle.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(signin.load)
    signin.init_app(app, end_tablet=tablet.end)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    from board.web import IdConverter

    app.url_map.converters["int"] = IdConverter

    from board.actions.routes import bp as actions_bp
    from board.admin.routes import bp as admin_bp
    from board.api.routes import bp as api_bp
    from board.api.tokens import bp as tokens_bp
    from board.auth.routes import bp as auth_bp
    from board.home.routes import bp as home_bp
    from board.meetings.routes import bp as meetings_bp
    from board.moderation.routes import bp as moderation_bp
    from board.participate.queue import bp as queue_bp
    from board.participate.routes import bp as participate_bp
    from board.room.routes import bp as room_bp
    from board.summaries.routes import bp as summaries_bp
    from board.voice.routes import bp as voice_bp
    from board.voting.routes import bp as voting_bp
    from board.wordings.routes import bp as wordings_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(room_bp)
    app.register_blueprint(participate_bp)
    app.register_blueprint(queue_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(summaries_bp)
    app.register_blueprint(wordings_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(voice_bp)

    app.context_processor(_template_context)
    from board.auth.access import can_handle_concerns, can_read_dashboard, can_run_meetings

    app.jinja_env.globals["can_run_meetings"] = can_run_meetings
    app.jinja_env.globals["can_handle_concerns"] = can_handle_concerns
    app.jinja_env.globals["can_read_dashboard"] = can_read_dashboard
    _template_globals(app)
    from board.voice import pages as voice_pages

    voice_pages.init_app(app)

    logs.init_app(app)  # last: every module's logger exists by now
    return app
