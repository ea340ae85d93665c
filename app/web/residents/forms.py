"""Forms of the resident pages. They read and parse input; the kaders are checked by the services."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from app.models import Round
from app.models.reaction import BODY_LIMIT
from app.money import euro_text as euro
from app.money import parse_euros
from app.services.proposals.finding import SORTS, ProposalQuery
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


def _optional_degrees(value: Any) -> float | None:
    text = str(value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return 999.0  # not a number: outside every range, so the service names the problem


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
    latitude = StringField(
        _l("Latitude (optional)"),
        description=_l(
            "Where in the neighbourhood? Click the map, or fill in the place in degrees, for example 52.0907."
        ),
        filters=[_optional_degrees],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    longitude = StringField(
        _l("Longitude (optional)"),
        description=_l("For example 5.1214."),
        filters=[_optional_degrees],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )

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
            "latitude": self.latitude.data,
            "longitude": self.longitude.data,
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


class ReactionForm(FlaskForm):
    """A reaction or, with `parent_id`, a reply. The text rules (length, no HTML) are the service's."""

    body = TextAreaField(
        _l("Your reaction"),
        description=_l("Plain text, at most %(n)d characters. Links are shown as links.", n=BODY_LIMIT),
    )
    parent_id = HiddenField()

    def parent(self) -> int | None:
        value = (self.parent_id.data or "").strip()
        if not value:
            return None
        return int(value) if value.isdigit() and int(value) < 2**31 else 0  # 0 names no reaction


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Why should the organisers look at this reaction?"),
        description=_l("Optional. For example: it insults someone, or it is advertising."),
    )


class PictureForm(FlaskForm):
    """A picture of one's proposal with its text alternative (checked further by the pictures service)."""

    picture = FileField(
        _l("Picture"),
        description=_l(
            "A JPEG, PNG or WebP image of at most 10 MB. Location data in the picture is removed."
        ),
    )
    alt_text = StringField(
        _l("What is in the picture?"),
        description=_l(
            "For people who cannot see the picture, for example: “The empty square behind the library”."
        ),
    )


class ProposalFilterForm(FlaskForm):
    """Filters and sort of the projects page (GET, no CSRF: it changes nothing)."""

    thema = SelectField(_l("Theme"), validate_choice=False)
    buurt = SelectField(_l("Buurt"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    zoek = StringField(_l("Search"), render_kw={"type": "search", "maxlength": 100})
    sorteer = SelectField(
        _l("Order"),
        choices=[
            ("newest", _l("Newest first")),
            ("support", _l("Most support first")),
            ("random", _l("Random order (yours stays the same)")),
        ],
        validate_choice=False,
    )

    def set_choices(self, rnd: Round) -> None:
        self.thema.choices = [("", _l("All themes"))] + [(c, c) for c in rnd.categories]
        self.buurt.choices = [("", _l("All buurten"))] + [(str(b.id), b.name) for b in rnd.wijk.buurten]
        self.status.choices = [
            ("", _l("Every status")),
            ("submitted", _l("Waiting for the feasibility check")),
            ("feasible", _l("Feasible: on the ballot")),
            ("infeasible", _l("Not feasible")),
            ("not_enough_support", _l("Not enough support")),
            ("withdrawn", _l("Withdrawn by the author")),
        ]

    def query(self) -> ProposalQuery:
        buurt = (self.buurt.data or "").strip()
        sort = self.sorteer.data if self.sorteer.data in SORTS else "newest"
        return ProposalQuery(
            category=self.thema.data or "",
            buurt_id=int(buurt) if buurt.isdigit() and int(buurt) < 2**31 else None,
            status=self.status.data or "",
            text=(self.zoek.data or "")[:100],
            sort=sort or "newest",
        )
