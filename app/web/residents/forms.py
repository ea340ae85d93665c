"""Forms of the resident pages. They read and parse input; the kaders are checked by the services."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from app.models import Round
from app.money import euro_text as euro
from app.money import parse_euros
from app.services.proposals.submissions import DESCRIPTION_MAX, TITLE_MAX
from app.translated import lazy_gettext as _l
from app.web.personal_fields import BirthDateField, addition_field, house_number_field, postcode_field


class EuroField(Field):
    """A text box for an amount in euros; `data` is integer cents (None while empty or unreadable)."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)
        self.raw_text = ""

    def _value(self) -> str:
        if self.raw_text:
            return self.raw_text
        if self.data is None:
            return ""
        whole, rest = divmod(int(self.data), 100)
        return f"{whole},{rest:02d}" if rest else str(whole)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_text = str(valuelist[0]).strip() if valuelist else ""
        self.data = _cents_or_none(self.raw_text) if self.raw_text else None

    def pre_validate(self, form: Any) -> None:
        if not self.raw_text:
            raise ValidationError(_l("Fill in the estimated cost in euros."))
        if self.data is None:
            raise ValidationError(_l("Write the amount in euros, for example 2500 or 2.500,50."))


def _optional_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not a buurt id: the service names the problem


class ProposalForm(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("A short name for your plan, for example “Benches in the Zonnepark”."),
        render_kw={"maxlength": TITLE_MAX},
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("What do you want to do, where, and who will benefit?"),
        render_kw={"maxlength": DESCRIPTION_MAX, "rows": 8},
    )
    cost = EuroField(_l("Estimated cost in euros"))
    category = SelectField(_l("Theme"), validate_choice=False)
    buurt_id = SelectField(_l("Buurt (optional)"), coerce=_optional_int, validate_choice=False)

    def set_choices(self, rnd: Round) -> None:
        self.category.choices = [("", _l("Choose a theme"))] + [(c, c) for c in rnd.categories]
        self.buurt_id.choices = [("", _l("The whole neighbourhood"))] + [
            (b.id, b.name) for b in rnd.wijk.buurten
        ]
        low, high = max(rnd.min_project_cost_cents, 1), rnd.max_project_cost_cents
        self.cost.description = _l(
            "Between %(min)s and %(max)s. Write for example 2500 or 2.500,50.",
            min=euro(low),
            max=euro(high),
        )

    def values(self) -> dict[str, Any]:
        """The parsed input, as the proposal services take it."""
        return {
            "title": self.title.data or "",
            "description": self.description.data or "",
            "cost_cents": self.cost.data,
            "category": self.category.data or "",
            "buurt_id": self.buurt_id.data,
        }


class BallotForm(FlaskForm):
    """Only the CSRF token: the chosen project ids are read as a list, so unknown ids can be reported."""


class RegisterMatchForm(FlaskForm):
    """Postcode, house number (+ addition) and, for person-level registers, the date of birth."""

    postcode = postcode_field(_l("Postcode"), _l("For example 1234 AB."))
    house_number = house_number_field()
    addition = addition_field()
    birth_date = BirthDateField(_l("Date of birth"))


class WithdrawForm(FlaskForm):
    """Only the CSRF token: withdrawing asks for a confirmation, nothing else."""


def _cents_or_none(text: str) -> int | None:
    """Cents, or None when the text is not an amount we can store (the form then names the problem)."""
    try:
        return parse_euros(text)
    except (ValueError, OverflowError):
        return None


class ResultMailForm(FlaskForm):
    """Ask for (or stop) the e-mail about a round's result; `back` names the page to return to."""

    back = HiddenField(default="round")
