"""The form a recording is sent with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SubmitField


class RecordingForm(FlaskForm):
    language = HiddenField()
    msgid = HiddenField()
    # i18n: a staff member picks an audio file of the prompt spoken (or records it in the page).
    audio = FileField(_l("Recording (Opus, WebM or Ogg)"))
    submit = SubmitField(_l("Save the recording"))
