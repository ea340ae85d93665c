"""Forms for commitments. Field names equal the service arguments, so a service's field errors land on them."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.translated import lazy_gettext as _l
from app.web.organise.forms import EuroField

_TOO_LONG = _l("Use at most %(max)d characters.")
NOBODY = ""


class SpentField(EuroField):
    """Money spent so far; a minus sign gets its own clear message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and str(valuelist[0]).strip().startswith("-"):
            self.data = None
            raise ValueError(_l("The money spent cannot be negative."))
        super().process_formdata(valuelist)


class DayField(DateField):
    """A calendar day (`<input type="date">` sends 2027-03-01; typed Dutch 01-03-2027 works too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%d", "%d-%m-%Y"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata([str(valuelist[0]).strip()])
        except ValueError:
            raise ValueError(_l("Fill in a date, for example 01-03-2027.")) from None


class ProgressForm(FlaskForm):
    status = RadioField(
        _l("Status"),
        choices=[
            ("planned", _l("Planned")),
            ("in_progress", _l("In progress")),
            ("delayed", _l("Delayed")),
            ("delivered", _l("Delivered")),
        ],
        invalid_choice_message=_l("Choose one of the options."),
        validators=[DataRequired(_l("Choose one of the options."))],
    )
    spent = SpentField(
        _l("Money spent so far (euros)"),
        description=_l("The total spent on this project until now, not only since the last update."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    text = TextAreaField(
        _l("What happened?"),
        validators=[
            DataRequired(_l("Describe the progress in a few words.")),
            Length(max=4000, message=_TOO_LONG),
        ],
        description=_l("Residents will read this. It is also the description of the photo."),
    )
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("A JPEG, PNG or WebP image of at most 5 MB. Location data in the photo is removed."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class CommitmentForm(FlaskForm):
    department = StringField(
        _l("Responsible department"),
        validators=[Length(max=200, message=_TOO_LONG)],
        description=_l("For example: Stadsbeheer, team Groen. Residents will see this."),
    )
    responsible_user_id = SelectField(_l("Responsible professional"), choices=[], validate_choice=False)
    planned_delivery_on = DayField(_l("Planned delivery date"), validators=[Optional()])
    date_reason = TextAreaField(
        _l("Why does the date change?"),
        validators=[Length(max=4000, message=_TOO_LONG)],
        description=_l("Required when you change the date. Residents will see this reason."),
    )

    def responsible_id(self) -> int | None:
        value = self.responsible_user_id.data
        return int(value) if value and str(value).isdigit() else None


class FeedbackForm(FlaskForm):
    kind = RadioField(
        _l("Your response"),
        choices=[
            ("confirm_delivered", _l("The project has been delivered")),
            ("report_problem", _l("There is a problem with this project")),
        ],
        invalid_choice_message=_l("Choose one of the options."),
        validators=[DataRequired(_l("Choose one of the options."))],
    )
    text = TextAreaField(
        _l("Explanation"),
        validators=[Length(max=1000, message=_TOO_LONG)],
        description=_l("Required for a problem. Everyone can read this; do not write personal details."),
    )


class DropForm(FlaskForm):
    reason = TextAreaField(
        _l("Public reason"),
        validators=[Length(max=4000, message=_TOO_LONG)],
        description=_l("Why will the municipality not deliver this project? Everyone will read this reason."),
    )
