from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import Role
from app.services.accounts.staff import ROLE_NAMES
from app.translated import lazy_gettext as _l
from app.web.personal_fields import email_field

STAFF_ROLES = [r for r in Role if r != Role.RESIDENT]


def role_choices(*, with_resident: bool = False) -> list[tuple[str, object]]:
    roles = list(Role) if with_resident else STAFF_ROLES
    return [(r.value, ROLE_NAMES[r.value]) for r in roles]


class InviteForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Fill in a name.")),
            Length(max=120, message=_l("Use at most 120 characters.")),
        ],
    )
    email = email_field(_l("Fill in the e-mail address."))
    role = SelectField(_l("Role"), choices=role_choices)
    language = SelectField(_l("Language of the e-mail"), choices=[("nl", "Nederlands"), ("en", "English")])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=lambda: role_choices(with_resident=True))


class DeactivateForm(FlaskForm):
    """Only the CSRF token: for the one-button forms (deactivate, reset two-step login)."""


class WijkenForm(FlaskForm):
    """The wijken a staff account works for, as checkboxes (no JavaScript needed)."""

    wijken = SelectMultipleField(
        _l("Neighbourhoods"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # unknown numbers get the service's own message
    )
