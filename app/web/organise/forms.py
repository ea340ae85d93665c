"""Organiser forms: wijk, round (kaders and dates) and a CSRF-only confirmation form.

Field names equal the service's setting names, so a service's field errors land on the right field.
Money is entered in euros and handed to services as integer cents; dates are entered in Amsterdam time
and handed over as aware UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation

from app.local_time import NonexistentLocalTime, from_local, local_datetime
from app.models import BallotType, Eligibility, LeftoverPolicy, RegisterLevel, TieBreak
from app.money import euro_input_text, parse_euros
from app.services.rounds.kaders import (
    MAX_ACCOUNTS_PER_ADDRESS,
    MAX_AGE,
    MAX_CHOICES,
    MAX_MIN_VOTES,
    MAX_POINTS,
    MAX_RETENTION_DAYS,
    counting_rules,
)
from app.translated import lazy_gettext as _l
from app.web.organise.labels import counting_rule_label


class EuroField(StringField):
    """An amount in euros; `data` is integer cents, or None when left empty."""

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required = required

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        try:
            self.data = parse_euros(str(valuelist[0]))
        except OverflowError:
            raise ValueError(_l("This amount is too large.")) from None
        except ValueError:
            raise ValueError(_l("Fill in an amount in euros, for example 1.234,50.")) from None

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise StopValidation(_l("Fill in an amount in euros."))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else euro_input_text(self.data)


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read as Amsterdam time; `data` is an aware UTC datetime."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        for fmt in self.strptime_format:
            try:
                naive = datetime.strptime(str(valuelist[0]).strip(), fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(_l("Fill in a date and time, for example 01-03-2026 09:00."))
        try:
            self.data = from_local(naive)
        except NonexistentLocalTime:
            raise ValueError(
                _l("This time does not exist because the clocks go forward. Choose another time.")
            ) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if not self.data:
            return ""
        return str(local_datetime(self.data).strftime("%Y-%m-%dT%H:%M"))


class NamedAmountsField(TextAreaField):
    """Lines of "name: amount in euros" (a theme or buurt with its cap or budget); `data` maps each name to
    integer cents. An empty box is no amounts at all. `known` (set by the form) lists the names that may be
    used, case and spaces ignored; on validation a name takes its known spelling."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known: list[str] | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_data = valuelist
        amounts: dict[str, int] = {}
        self.data = amounts
        for number, line in enumerate(split_lines(valuelist[0] if valuelist else ""), start=1):
            name, amount = _name_and_amount(line, number)
            if name.lower() in {n.lower() for n in amounts}:
                raise ValueError(_l("“%(name)s” is listed twice.", name=name))
            amounts[name] = amount

    def pre_validate(self, form: Any) -> None:
        if self.known is None or not self.data:
            return
        spelling = {" ".join(k.split()).lower(): k for k in self.known}
        unknown = [name for name in self.data if name.lower() not in spelling]
        if unknown:
            raise StopValidation(
                _l("“%(name)s” is not one of: %(names)s.", name=unknown[0], names=", ".join(self.known))
            )
        self.data = {spelling[name.lower()]: cents for name, cents in self.data.items()}

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "\n".join(f"{name}: {euro_input_text(cents)}" for name, cents in (self.data or {}).items())


def _name_and_amount(line: str, number: int) -> tuple[str, int]:
    name, colon, amount_text = line.rpartition(":")
    name = " ".join(name.split())
    if not colon or not name:
        raise ValueError(
            _l("Line %(n)d: write a name, a colon and an amount, for example “Groen: 10.000”.", n=number)
        )
    try:
        return name, parse_euros(amount_text)
    except (ValueError, OverflowError):
        raise ValueError(
            _l("Line %(n)d: “%(text)s” is not an amount in euros.", n=number, text=amount_text.strip())
        ) from None


def split_lines(text: str | None) -> list[str]:
    """One item per line; empty lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def split_postcodes(text: str | None) -> list[str]:
    """Postcodes separated by new lines, commas, semicolons or spaces."""
    return [p for p in re.split(r"[\s,;]+", text or "") if p]


_REQUIRED_DATE = _l("Fill in a date and time.")
_CHOOSE = _l("Choose one of the options.")
_TOO_LONG = _l("Use at most %(max)d characters.")


class WijkForm(FlaskForm):
    name = StringField(
        _l("Name of the neighbourhood"),
        validators=[
            DataRequired(_l("Fill in the name of the neighbourhood.")),
            Length(max=120, message=_TOO_LONG),
        ],
    )
    municipality = StringField(
        _l("Municipality"),
        validators=[DataRequired(_l("Fill in the municipality.")), Length(max=120, message=_TOO_LONG)],
    )
    buurten = TextAreaField(
        _l("Buurten (smaller areas)"), description=_l("One buurt per line. You may leave this empty.")
    )
    postcodes = TextAreaField(
        _l("Postcode areas"),
        description=_l(
            "The 4-digit postcodes (PC4) of the neighbourhood, one per line or separated by commas."
        ),
    )


def _whole_number(minimum: int, maximum: int) -> list[Any]:
    message = _l("Fill in a whole number from %(min)d to %(max)d.", min=minimum, max=maximum)
    return [Optional(), NumberRange(min=minimum, max=maximum, message=message)]


def _number_field(label: Any, minimum: int, maximum: int, description: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=_whole_number(minimum, maximum),
        description=description,
        invalid_value_message=_l("Fill in a whole number, for example 3."),
    )


class RoundForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Fill in a title for the round.")), Length(max=200, message=_TOO_LONG)],
    )
    budget_cents = EuroField(_l("Budget (euros)"), description=_l("For example 50.000 or 50000,00."))
    min_project_cost_cents = EuroField(_l("Minimum cost of one project (euros)"))
    max_project_cost_cents = EuroField(
        _l("Maximum cost of one project (euros)"), description=_l("At most the budget.")
    )
    categories = TextAreaField(
        _l("Categories"),
        validators=[DataRequired(_l("Fill in at least one category."))],
        description=_l("One category per line, at least one."),
    )
    ballot_type = RadioField(
        _l("How residents vote"),
        choices=[
            (BallotType.KNAPSACK.value, _l("Budget ballot: choose projects until the budget is used up")),
            (BallotType.APPROVAL.value, _l("Approval ballot: choose a number of projects you support")),
            (BallotType.POINTS.value, _l("Points ballot: hand out a number of points over the projects")),
            (BallotType.RANKED.value, _l("Ranked ballot: put projects in order of preference")),
        ],
        default=BallotType.KNAPSACK.value,
        invalid_choice_message=_CHOOSE,
    )
    min_choices = _number_field(
        _l("Minimum number of choices"), 1, MAX_CHOICES, _l("Only for an approval or ranked ballot.")
    )
    max_choices = _number_field(
        _l("Maximum number of choices"), 1, MAX_CHOICES, _l("Only for an approval or ranked ballot.")
    )
    knapsack_min_spend_pct = _number_field(
        _l("Minimum share of the budget a ballot must use (%)"),
        0,
        100,
        _l("Only for a budget ballot. Leave empty for no minimum."),
    )
    points_total = _number_field(
        _l("Points per resident"),
        1,
        MAX_POINTS,
        _l("Only for a points ballot: the points each resident hands out."),
    )
    points_per_project = _number_field(
        _l("Most points for one project"),
        1,
        MAX_POINTS,
        _l("Only for a points ballot. Leave empty to let a resident give all points to one project."),
    )
    counting_rule = SelectField(_l("Counting rule"), default="greedy", invalid_choice_message=_CHOOSE)
    min_votes = _number_field(
        _l("Votes a project needs at least"),
        1,
        MAX_MIN_VOTES,
        _l(
            "Only for the rule “most votes first, only projects with enough votes”. On a points or ranked ballot: the score."
        ),
    )
    category_caps = NamedAmountsField(
        _l("Limits per theme"),
        description=_l(
            "Optional. One theme per line with the most money that may go to it, for example “Groen: 10.000”. "
            "Only with the rule “most votes first”."
        ),
    )
    buurt_caps = NamedAmountsField(
        _l("Limits per buurt"),
        description=_l("Optional. One buurt per line with the most money that may go to its projects."),
    )
    buurt_budgets = NamedAmountsField(
        _l("Buurten with a budget of their own"),
        description=_l(
            "Optional. One buurt per line with its own budget, for example “Lombok-Oost: 5.000”. Its residents "
            "vote for its projects in a separate part of the ballot; the budget above is then for the whole "
            "neighbourhood's part."
        ),
    )
    tie_break = RadioField(
        _l("When projects have the same number of votes"),
        choices=[
            (
                TieBreak.DEFAULT.value,
                _l("Cheaper project first, then more votes, then a lot drawn when voting opens"),
            ),
            (TieBreak.LEXICOGRAPHIC.value, _l("Lower project number first")),
        ],
        default=TieBreak.DEFAULT.value,
        invalid_choice_message=_CHOOSE,
    )
    leftover_policy = RadioField(
        _l("Money that is left over"),
        choices=[
            (LeftoverPolicy.RETURN_TO_MUNICIPALITY.value, _l("Goes back to the municipality")),
            (LeftoverPolicy.NEXT_ROUND.value, _l("Goes to the next round")),
            (
                LeftoverPolicy.NEXT_PROJECT_PARTIAL.value,
                _l("Goes to the next project in line, as part of its cost (partial funding)"),
            ),
            (
                LeftoverPolicy.FUND_FITTING.value,
                _l(
                    "Funds more projects that still fit, in order of votes, beyond the limits per theme or buurt"
                ),
            ),
        ],
        default=LeftoverPolicy.RETURN_TO_MUNICIPALITY.value,
        invalid_choice_message=_CHOOSE,
    )
    out_of_scope = TextAreaField(
        _l("What this budget cannot be used for"),
        description=_l("Plain words, for example: maintenance the municipality already does."),
    )
    eligibility = RadioField(
        _l("Who may vote"),
        choices=[
            (
                Eligibility.LETTER_CODES.value,
                _l("Letter codes: everyone in the municipality's register gets a letter with a voting code"),
            ),
            (
                Eligibility.REGISTER_MATCH.value,
                _l("Register match: residents vote with an account that is checked against the register"),
            ),
            (
                Eligibility.OPEN.value,
                _l("Open: residents state their postcode and age themselves (the lowest assurance)"),
            ),
        ],
        default=Eligibility.OPEN.value,
        invalid_choice_message=_CHOOSE,
    )
    register_level = RadioField(
        _l("The register lists"),
        choices=[
            (RegisterLevel.PERSON.value, _l("Persons: one vote per person")),
            (RegisterLevel.HOUSEHOLD.value, _l("Households: one vote per address")),
        ],
        default=RegisterLevel.PERSON.value,
        description=_l("Only for letter codes and register match."),
        invalid_choice_message=_CHOOSE,
    )
    min_age = IntegerField(
        _l("Minimum age"),
        default=12,
        validators=_whole_number(0, MAX_AGE),
        description=_l("On the day voting opens. Often 12 in Dutch neighbourhoods."),
        invalid_value_message=_l("Fill in a whole number, for example 12."),
    )
    accounts_per_address = IntegerField(
        _l("Votes per person (open rounds)"),
        default=1,
        validators=_whole_number(1, MAX_ACCOUNTS_PER_ADDRESS),
        description=_l(
            "How many accounts may vote with the same postcode, house number and date of birth. Keep 1; "
            "raise it only when, for example, twins live at one address."
        ),
        invalid_value_message=_l("Fill in a whole number, for example 1."),
    )
    register_retention_days = IntegerField(
        _l("Delete the register after (days)"),
        default=90,
        validators=_whole_number(0, MAX_RETENTION_DAYS),
        description=_l(
            "Days after the result is published. The register and the letter codes are then deleted."
        ),
        invalid_value_message=_l("Fill in a whole number, for example 90."),
    )
    proposals_open_at = LocalDateTimeField(_l("Proposals open"), validators=[InputRequired(_REQUIRED_DATE)])
    review_open_at = LocalDateTimeField(
        _l("Feasibility check starts (proposals close)"), validators=[InputRequired(_REQUIRED_DATE)]
    )
    voting_open_at = LocalDateTimeField(_l("Voting opens"), validators=[InputRequired(_REQUIRED_DATE)])
    voting_close_at = LocalDateTimeField(_l("Voting closes"), validators=[InputRequired(_REQUIRED_DATE)])
    results_at = LocalDateTimeField(_l("Result published"), validators=[InputRequired(_REQUIRED_DATE)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counting_rule.choices = [(rule, counting_rule_label(rule)) for rule in counting_rules()]

    def set_buurten(self, names: list[str]) -> None:
        """The wijk's buurten: the only names the buurt caps and budgets may use (checked on validate)."""
        for field in (self.buurt_caps, self.buurt_budgets):
            field.known = names
            field.description = f"{field.description} " + str(
                _l("Buurten: %(names)s.", names=", ".join(names) or "-")
            )


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""


class AmendmentForm(FlaskForm):
    """A public correction of one text of a frozen round; `target` is "round:<field>" or
    "project:<id>:<field>" (see `amendment_target`)."""

    target = SelectField(_l("What to correct"), invalid_choice_message=_CHOOSE)
    new_value = TextAreaField(_l("Corrected text"))
    reason = TextAreaField(
        _l("Reason for the correction"),
        description=_l("Everyone sees this reason on the round's pages, with the old and the new text."),
        validators=[DataRequired(_l("Explain why this correction is needed."))],
    )


def amendment_target(value: str) -> tuple[int | None, str]:
    """("round:title") -> (None, "title"); ("project:12:category") -> (12, "category")."""
    parts = value.split(":")
    if len(parts) == 3 and parts[0] == "project" and parts[1].isdigit():
        return int(parts[1]), parts[2]
    return None, parts[-1]


class RegisterUploadForm(FlaskForm):
    """The municipality's register as a CSV file (checked further by the register import service)."""

    file = FileField(
        _l("Register file (CSV)"),
        validators=[
            FileRequired(_l("Choose the CSV file with the register.")),
            FileAllowed(
                ("csv", "txt"), _l("Choose a CSV file (ending in .csv). Save a spreadsheet as CSV UTF-8.")
            ),
        ],
        description=_l(
            "Columns: referentie, postcode, huisnummer, toevoeging and, when you have them, geboortedatum, "
            "buurt and geheim. Separated by ; or , and saved as UTF-8. Never include names."
        ),
    )
