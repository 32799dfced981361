"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise the message goes to the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, has_request_context, url_for

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message to one staff address (never to a child: children have none)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not config.get("MAIL_SERVER"):
        log.info("mail (no MAIL_SERVER configured) to %s: %s\n%s", to, subject, body)
        return
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        # The action that triggered the mail stands; the administrator still sees the link.
        log.exception("mail to %s could not be sent", to)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: from the request, or BASE_URL on the command line."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = (current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)
