"""The feasibility review form. Field names equal `review_project`'s arguments, so its errors land on them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length

from app.translated import lazy_gettext as _l
from app.web.organise.forms import EuroField

FEASIBLE = "feasible"
INFEASIBLE = "infeasible"


class ReviewForm(FlaskForm):
    verdict = RadioField(
        _l("Verdict"),
        choices=[
            (FEASIBLE, _l("Feasible: the project can go on the ballot")),
            (INFEASIBLE, _l("Not feasible: the project will not be on the ballot")),
        ],
        invalid_choice_message=_l("Choose feasible or not feasible."),
    )
    reason = TextAreaField(
        _l("Public reason"),
        validators=[Length(max=4000, message=_l("Use at most %(max)d characters."))],
        description=_l("Required when the project is not feasible. Residents and the author will read this."),
    )
    new_cost_cents = EuroField(
        _l("New cost estimate (euros)"),
        required=False,
        description=_l("Only if the cost changes. Leave empty to keep the current cost."),
    )
    cost_reason = TextAreaField(
        _l("Reason for the new cost"),
        validators=[Length(max=4000, message=_l("Use at most %(max)d characters."))],
        description=_l("Required when you change the cost."),
    )
