"""Organiser forms for letter codes: search the register, issue a code, print one letter."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.translated import lazy_gettext as _l


class EntrySearchForm(FlaskForm):
    """A GET search: no CSRF needed, it changes nothing."""

    class Meta:
        csrf = False

    reference = StringField(_l("Reference number"), validators=[Optional(), Length(max=64)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=16)])
    house_number = IntegerField(
        _l("House number"),
        validators=[Optional(), NumberRange(min=1, max=999_999)],
        render_kw={"inputmode": "numeric"},
    )


class IssueForm(FlaskForm):
    reference = HiddenField(validators=[InputRequired(), Length(max=64)])
    via = HiddenField(validators=[InputRequired()])


class LetterForm(FlaskForm):
    """Posts the code shown on the screen back, to print it as one letter (the server never kept it)."""

    entry_id = HiddenField(validators=[InputRequired()])
    code = HiddenField(validators=[InputRequired(), Length(max=64)])
