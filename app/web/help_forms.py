"""Forms of help requests (hulp vragen), shared by the resident's and the professional's pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField

from app.models.help_request import HelpTopic
from app.translated import lazy_gettext as _l

TOPIC_LABELS = {
    HelpTopic.COST_ESTIMATE.value: _l("A cost estimate"),
    HelpTopic.PERMIT.value: _l("A permit"),
    HelpTopic.VOLUNTEERS.value: _l("Finding volunteers"),
    HelpTopic.WORDING.value: _l("Putting my plan into words"),
}


class HelpRequestForm(FlaskForm):
    topic = RadioField(
        _l("What would you like help with?"), choices=list(TOPIC_LABELS.items()), validate_choice=False
    )
    question = TextAreaField(
        _l("Your question"),
        description=_l("Only you and the professionals of your neighbourhood read this."),
    )


class HelpAnswerForm(FlaskForm):
    answer = TextAreaField(_l("Your answer"), description=_l("Only the resident who asked reads this."))
