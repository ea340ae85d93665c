"""Organiser forms for polling locations and poll workers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField

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


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Search by e-mail address"))
