"""Poll-worker forms. They read the input; who the voter is and whether the choice fits is for the services."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import Optional

from app.services.paper.voter_lookup import AddressIdentity, CodeIdentity
from app.translated import lazy_gettext as _l

BY_CODE = "code"
BY_ADDRESS = "address"


class BirthDateField(DateField):
    """A date input; an unreadable date gets our own (translated) message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Fill in a date, for example 31-12-1980.")) from None


class PaperBallotForm(FlaskForm):
    """One paper ballot. Works without JavaScript: every field is always there, `method` says which are used.
    The chosen projects are read as a list (`project_ids`), as on the residents' ballot."""

    method = RadioField(
        _l("How do you check who is voting?"),
        choices=[
            (BY_CODE, _l("With the letter code (stemcode)")),
            (BY_ADDRESS, _l("Without a letter: look the resident up in the register")),
        ],
        default=BY_CODE,
        validate_choice=False,
    )
    postcode = StringField(
        _l("Postcode"),
        description=_l("Always needed. For example 1234 AB."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    code = StringField(
        _l("Letter code"),
        description=_l("Only with the letter code. Dashes and spaces do not matter."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    house_number = IntegerField(
        _l("House number"),
        validators=[Optional()],
        description=_l("Only without a letter."),
        invalid_value_message=_l("Fill in the house number as a number, for example 12."),
        render_kw={"inputmode": "numeric"},
    )
    addition = StringField(
        _l("Addition (optional)"), description=_l("For example A or 2 hoog."), render_kw={"maxlength": 10}
    )
    birth_date = BirthDateField(
        _l("Date of birth"),
        validators=[Optional()],
        description=_l("Only without a letter."),
        render_kw={"autocomplete": "off"},
    )
    assisted = BooleanField(_l("Assisted vote: I fill in this ballot on behalf of the resident"))
    consent = BooleanField(_l("The resident has given consent for the assisted vote"))

    def identity(self) -> CodeIdentity | AddressIdentity:
        postcode = self.postcode.data or ""
        if self.method.data == BY_ADDRESS:
            return AddressIdentity(
                postcode, self.house_number.data, self.addition.data or "", self.birth_date.data
            )
        return CodeIdentity(self.code.data or "", postcode)


class DecisionForm(FlaskForm):
    """Confirm (only the CSRF token) or reject (with a reason) a waiting entry."""

    reason = TextAreaField(_l("Why do you reject it?"), render_kw={"rows": 2, "maxlength": 500})
