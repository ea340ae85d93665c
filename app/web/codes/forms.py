"""Organiser forms for letter codes: search the register, issue a code, print one letter."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from app.translated import lazy_gettext as _l


class EntrySearchForm(FlaskForm):
    """A GET look-up of one register entry by its reference number: no CSRF needed, it changes nothing.
    There is no search by address: it would list which addresses of a street have voted."""

    class Meta:
        csrf = False

    reference = StringField(
        _l("Reference number"),
        validators=[InputRequired(_l("Fill in the reference number.")), Length(max=64)],
    )


class IssueForm(FlaskForm):
    reference = HiddenField(validators=[InputRequired(), Length(max=64)])
    via = HiddenField(validators=[InputRequired()])


class LetterForm(FlaskForm):
    """Posts the code shown on the screen back, to print it as one letter (the server never kept it)."""

    entry_id = HiddenField(validators=[InputRequired()])
    code = HiddenField(validators=[InputRequired(), Length(max=64)])
