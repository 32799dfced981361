"""Logging is set up in one place (board.logs): every logger of the application, the
modules' own included, keeps a database error's values out of its lines."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from board import logs


def test_every_module_logger_carries_the_filters(app):
    names = [logger.name for logger in logs.application_loggers(app)]
    assert {"board", "board.mail", "board.voting.services"} <= set(names)
    for name in names:
        kinds = {type(f) for f in logging.getLogger(name).filters}
        assert set(logs.APPLICATION_FILTERS) <= kinds, name


def test_a_module_logger_never_logs_a_database_errors_values(app, caplog):
    """board.voting.services logs a failed cleanup with its exception: the row it names
    (PostgreSQL: "Failing row contains ...") stays out."""
    error = sa.exc.IntegrityError(
        "INSERT INTO feedback (text) VALUES (%(text)s)",
        {"text": "secret words of a child"},
        Exception("Failing row contains (secret words of a child)"),
    )
    caplog.set_level(logging.DEBUG)
    try:
        raise error
    except sa.exc.IntegrityError:
        logging.getLogger("board.voting.services").warning("cleanup failed", exc_info=True)
    logged = " ".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "database error Exception in: INSERT INTO feedback" in logged
    assert "secret words" not in logged


def test_the_level_is_configurable(make_app):
    logger = logging.getLogger("board")
    before = logger.level
    try:
        make_app(LOG_LEVEL="info")
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(before)
