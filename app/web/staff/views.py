"""Staff accounts, for admins only: invite by e-mail, change a role, deactivate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User, Wijk
from app.models.user import WIJK_BOUND_ROLES
from app.services.accounts import staff, two_step, wijk_access
from app.services.errors import RuleViolation
from app.web.auth.confirmation import public_url
from app.web.organise.feedback import show_violation
from app.web.security import role_required
from app.web.staff.forms import DeactivateForm, InviteForm, RoleForm, WijkenForm

bp = Blueprint("staff", __name__, url_prefix="/beheer/medewerkers")


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def index():  # type: ignore[no-untyped-def]
    form = InviteForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = staff.invite_staff(
                current_user,
                form.email.data or "",
                form.name.data or "",
                Role(form.role.data),
                form.language.data or "nl",
                lambda token: public_url("auth.accept_invitation", token=token),
            )
        except RuleViolation as exc:
            status = show_violation(form, exc)
        else:
            flash(_("We sent an invitation to %(email)s.", email=escape(user.email)), "success")
            return redirect(url_for("staff.index"))
    return _page(form, status)


@bp.route("/<int:user_id>/rol", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int):  # type: ignore[no-untyped-def]
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        staff.set_role(current_user, user.id, Role(form.role.data))
    except RuleViolation as exc:
        flash(exc.message, "error")
    else:
        flash(
            _(
                "The role of %(name)s is now %(role)s.",
                name=escape(user.name),
                role=staff.role_name(user.role),
            ),
            "success",
        )
    return redirect(url_for("staff.index"))


@bp.route("/<int:user_id>/wijken", methods=["POST"])
@role_required(Role.ADMIN)
def change_wijken(user_id: int):  # type: ignore[no-untyped-def]
    """Which wijken an organiser, professional or poll worker works for (an admin holds every wijk)."""
    user = db.get_or_404(User, user_id)
    form = _wijken_form(user, formdata=True)
    if not form.validate_on_submit():
        abort(400)
    try:
        wijk_access.set_staff_wijken(user, form.wijken.data or [], actor=current_user)
    except RuleViolation as exc:
        flash(exc.message, "error")
    else:
        names = ", ".join(w.name for w in user.staff_wijken) or _("none")
        flash(
            _("%(name)s now works for: %(wijken)s.", name=escape(user.name), wijken=escape(names)), "success"
        )
    return redirect(url_for("staff.index"))


@bp.route("/<int:user_id>/uitzetten", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate(user_id: int):  # type: ignore[no-untyped-def]
    user = db.get_or_404(User, user_id)
    if not DeactivateForm().validate_on_submit():
        abort(400)
    try:
        staff.deactivate(current_user, user.id)
    except RuleViolation as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(name)s can no longer log in.", name=escape(user.name)), "success")
    return redirect(url_for("staff.index"))


@bp.route("/<int:user_id>/tweede-stap-opnieuw", methods=["POST"])
@role_required(Role.ADMIN)
def reset_two_step(user_id: int):  # type: ignore[no-untyped-def]
    """For a colleague who lost both phone and recovery codes: they set it up again at their next login."""
    user = db.get_or_404(User, user_id)
    if not DeactivateForm().validate_on_submit():
        abort(400)
    two_step.reset_for_lost_phone(current_user, user)
    flash(_("%(name)s sets up two-step login again at the next login.", name=escape(user.name)), "success")
    return redirect(url_for("staff.index"))


def _page(form: InviteForm, status: int = 200):  # type: ignore[no-untyped-def]
    accounts = staff.list_accounts(staff_only=True)
    role_forms = {user.id: RoleForm(formdata=None, role=user.role, prefix=f"u{user.id}") for user in accounts}
    choices = _wijk_choices()  # once for the page, not once per account
    wijken_forms = {
        user.id: _wijken_form(user, choices=choices) for user in accounts if user.role in WIJK_BOUND_ROLES
    }
    return (
        render_template(
            "staff/index.html",
            form=form,
            accounts=accounts,
            role_forms=role_forms,
            wijken_forms=wijken_forms,
            role_name=staff.role_name,
            invited=staff.is_invited,
            two_step_on=two_step.is_enrolled,
        ),
        status,
    )


def _wijken_form(
    user: User, *, formdata: bool = False, choices: list[tuple[int, str]] | None = None
) -> WijkenForm:
    form = (
        WijkenForm(prefix=f"w{user.id}")
        if formdata
        else WijkenForm(formdata=None, prefix=f"w{user.id}", wijken=[w.id for w in user.staff_wijken])
    )
    form.wijken.choices = choices if choices is not None else _wijk_choices()
    return form


def _wijk_choices() -> list[tuple[int, str]]:
    return [(w.id, w.name) for w in db.session.scalars(select(Wijk).order_by(Wijk.name))]
