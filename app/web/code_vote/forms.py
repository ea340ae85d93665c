"""Forms for voting with a letter code. The services normalise and check what is typed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from app.translated import lazy_gettext as _l


class CodeForm(FlaskForm):
    code = StringField(
        _l("Voting code"),
        description=_l(
            "The code on your letter, for example K7QM-9XRT-CAWF-2HPD-M4N6. Dashes and spaces do not matter."
        ),
        validators=[InputRequired(_l("Fill in the voting code from your letter.")), Length(max=64)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    postcode = StringField(
        _l("Postcode"),
        description=_l("The postcode of the address on the letter, for example 3512 AB."),
        validators=[InputRequired(_l("Fill in your postcode.")), Length(max=16)],
        render_kw={"autocomplete": "postal-code"},
    )
    receipt = StringField(
        _l("Receipt code (only to change your vote)"),
        description=_l(
            "Already voted with this code? Fill in the receipt code you got then, to change your vote."
        ),
        validators=[Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class CodeBallotForm(FlaskForm):
    """The ballot of a code voter: the code, postcode and receipt travel along in hidden fields, never in the
    session cookie; the chosen project ids are read as a list."""

    code = HiddenField()
    postcode = HiddenField()
    receipt = HiddenField()
