"""Organisers: the voter register of a round (upload, import progress, summary, clearing).

Routes on the organise blueprint; imported by `views.py` so they register with it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import db
from app.models import JobStatus, RegisterImport, Role, Round
from app.register_csv import RegisterFileError, decode_register_file
from app.services.eligibility import registers
from app.services.eligibility.register_messages import error_text, reason_text
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.web.organise.feedback import add_error
from app.web.organise.forms import ConfirmForm, RegisterUploadForm
from app.web.organise.views import bp
from app.web.security import role_required, round_or_404

# The whole request may be a little larger than the file (the form's other fields and boundaries).
UPLOAD_LIMIT = registers.MAX_REGISTER_CHARS + 64 * 1024
REFRESH_SECONDS = 2


@bp.route("/ronde/<int:round_id>/register", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def register(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    request.max_content_length = UPLOAD_LIMIT
    try:
        form = RegisterUploadForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted = RegisterUploadForm(formdata=None), False
        add_error(form, "file", reason_text("too_large", str(registers.MAX_REGISTER_MB)))
        return _register_page(rnd, form), 413
    if submitted:
        job, status = _start_import(rnd, form)
        if job is not None:
            return redirect(url_for(".register_import", round_id=rnd.id, import_id=job.id))
        return _register_page(rnd, form), status
    return _register_page(rnd, form), 200 if request.method == "GET" else 400


def _start_import(rnd: Round, form: RegisterUploadForm) -> tuple[RegisterImport | None, int]:
    upload = form.file.data
    try:
        text = decode_register_file(upload.read())
        job = registers.start_register_import(current_user, rnd.id, upload.filename or "", text)
    except RegisterFileError as error:
        add_error(form, "file", reason_text(error.code, error.detail))
        return None, 400
    except (NotAllowed, NotFound) as refused:
        abort(403 if isinstance(refused, NotAllowed) else 404)
    except RuleViolation as refused:
        add_error(form, "file", refused.message)
        return None, 400 if isinstance(refused, registers.RegisterFileRefused) else 409
    return job, 302


def _register_page(rnd: Round, form: RegisterUploadForm) -> str:
    return render_template(
        "organise/register.html",
        round=rnd,
        form=form,
        summary=registers.register_summary(rnd.id),
        imports=registers.recent_imports(rnd.id),
        uses_register=registers.uses_register(rnd),
        reason_text=reason_text,
    )


@bp.route("/ronde/<int:round_id>/register/import/<int:import_id>")
@role_required(Role.ORGANISER)
def register_import(round_id: int, import_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    job = db.get_or_404(RegisterImport, import_id)
    if job.round_id != rnd.id:
        abort(404)
    running = job.status in (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
    return render_template(
        "organise/register_import.html",
        round=rnd,
        job=job,
        running=running,
        refresh_seconds=REFRESH_SECONDS,
        errors=[(error["line"], error_text(error)) for error in job.errors or []],
        reason_text=reason_text,
    )


@bp.route("/ronde/<int:round_id>/register/wissen", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def register_clear(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    form = ConfirmForm()
    refused: Any = None
    if form.validate_on_submit():
        try:
            deleted = registers.clear_register(current_user, rnd.id)
        except RuleViolation as exc:
            refused = exc.message
        else:
            flash(_("The register has been cleared: %(n)d entries deleted.", n=deleted), "success")
            return redirect(url_for(".register", round_id=rnd.id))
    return render_template(
        "organise/register_clear.html",
        round=rnd,
        form=form,
        summary=registers.register_summary(rnd.id),
        refused=refused,
    ), (409 if refused else 200)
