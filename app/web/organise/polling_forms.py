"""Organiser forms for polling locations and poll workers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField

from app.translated import lazy_gettext as _l
from app.web.stembureau.labels import LOCATION_KINDS


class LocationForm(FlaskForm):
    name = StringField(_l("Name of the location"), description=_l("For example: Buurthuis De Schakel."))
    kind = RadioField(
        _l("Kind of location"),
        choices=list(LOCATION_KINDS.items()),
        default="community_centre",
        validate_choice=False,  # the service names an unknown kind
    )
    address = StringField(
        _l("Address"), description=_l("Street, number and place, for example: Kanaalweg 12, Utrecht.")
    )
    opening_hours = TextAreaField(
        _l("Opening hours"),
        description=_l("When residents can vote here, for example: Wednesday 14:00 to 20:00."),
    )
    accessibility = TextAreaField(
        _l("Accessibility"),
        description=_l("For example: entrance without steps, lift, hearing loop, help with reading."),
    )

    def details(self) -> dict[str, str]:
        return {
            "address": self.address.data or "",
            "opening_hours": self.opening_hours.data or "",
            "accessibility": self.accessibility.data or "",
        }


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by e-mail address"))
