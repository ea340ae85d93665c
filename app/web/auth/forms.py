from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.translated import lazy_gettext as _l
from app.web.personal_fields import BirthDateField, addition_field, house_number_field, postcode_field

_POSTCODE_HINT = _l("For example 1234 AB. Needed to vote in rounds that are open to the residents of a wijk.")
_BIRTH_DATE_HINT = _l("Some rounds have a minimum age. We do not show it to anyone.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Fill in your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Fill in your password."))])
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Fill in your name.")),
            Length(max=120, message=_l("Use at most 120 characters.")),
        ],
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Fill in your e-mail address.")),
            Email(_l("This is not a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    wijk_id = SelectField(_l("Your neighbourhood"), coerce=int, validate_choice=True)
    postcode = postcode_field(_l("Postcode (optional)"), _POSTCODE_HINT)
    birth_date = BirthDateField(_l("Date of birth (optional)"), description=_BIRTH_DATE_HINT)
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=10, message=_l("Choose a password of at least 10 characters.")),
        ],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    language = SelectField(_l("Language"), choices=[("nl", "Nederlands"), ("en", "English")])


class ProfileForm(FlaskForm):
    postcode = postcode_field(_l("Postcode"), _POSTCODE_HINT)
    house_number = house_number_field(_l("House number (optional)"))
    addition = addition_field()
    birth_date = BirthDateField(_l("Date of birth"), description=_BIRTH_DATE_HINT)


class ResendConfirmationForm(FlaskForm):
    """Only the CSRF token: sends the confirmation e-mail again."""
