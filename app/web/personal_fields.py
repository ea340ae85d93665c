"""Form fields for what a resident says about themselves: address and date of birth (auth and residents)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from wtforms import IntegerField, StringField
from wtforms.fields import DateField

from app.translated import lazy_gettext as _l

# A browser's date picker sends 2010-03-31; someone typing in a plain text box may write 31-03-2010.
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


class BirthDateField(DateField):
    """A date input; empty is None, an unreadable date an error in plain words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"autocomplete": "bday"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        for fmt in DATE_FORMATS:
            try:
                self.data = datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        raise ValueError(_l("Fill in a date, for example 31-03-1980."))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.isoformat() if isinstance(self.data, date) else ""


def postcode_field(label: Any, description: Any = None) -> StringField:
    return StringField(
        label,
        description=description,
        render_kw={"autocomplete": "postal-code", "maxlength": 7, "size": 8},
    )


def house_number_field(label: Any = None) -> IntegerField:
    return IntegerField(
        label or _l("House number"),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "size": 6},
        invalid_value_message=_l("Fill in your house number, for example 12."),
    )


def addition_field() -> StringField:
    return StringField(
        _l("Addition (optional)"),
        description=_l("For example A, bis or 2-hoog."),
        render_kw={"maxlength": 10, "size": 6, "autocomplete": "off"},
    )
