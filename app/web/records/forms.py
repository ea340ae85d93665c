"""The receipt check form: a GET form (a lookup that changes nothing), so it has no CSRF token."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from app.services.results.receipts import normalise_receipt, receipt_typing_problem
from app.translated import lazy_gettext as _l


class ReceiptCheckForm(FlaskForm):
    class Meta:
        csrf = False

    round_id = SelectField(_l("Round"), coerce=int, validate_choice=True)
    code = StringField(
        _l("Your receipt code"),
        description=_l("12 letters and digits, as shown after you voted, for example K7QM-9XRT-CAWF."),
        validators=[DataRequired(_l("Fill in your receipt code."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate_code(self, field: Any) -> None:
        problem = receipt_typing_problem(field.data or "")
        if problem is None:
            return
        kind, detail = problem
        if kind == "length":
            raise ValidationError(
                _l(
                    "A receipt code has 12 letters and digits, like K7QM-9XRT-CAWF; you typed %(n)s. "
                    "Check what you typed.",
                    n=detail,
                )
            )
        raise ValidationError(
            _l(
                "A receipt code never contains %(chars)s: codes leave out letters and digits that look alike "
                "(such as O and 0, I and 1). Check what you typed.",
                chars=escape(detail),
            )
        )

    @property
    def normalised_code(self) -> str:
        return normalise_receipt(self.code.data or "") or ""
