"""Organisers: letter-code batches and their one-time downloads, re-issued codes and desk codes."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound as HTTPNotFound

from app.extensions import db
from app.models import CodeIssue, RegisterEntry, Role, Round
from app.postcodes import normalise_postcode
from app.services.codes import batches as code_batches
from app.services.codes import reissue as code_issue
from app.services.codes.letters import single_letter_pdf
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.voting.voter_keys import normalise_voting_code
from app.web.codes.forms import EntrySearchForm, IssueForm, LetterForm
from app.web.organise.forms import ConfirmForm
from app.web.security import role_required

bp = Blueprint("codes", __name__, url_prefix="/organiseren")


@bp.after_request
def _private(response: Response) -> Response:
    """Pages here may show a code once: never cache them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(RuleViolation)
def _refused(exc: RuleViolation) -> Any:
    if isinstance(exc, NotFound | NotAllowed):
        status = HTTPNotFound() if isinstance(exc, NotFound) else Forbidden()
        return current_app.handle_http_exception(status)
    round_id = (request.view_args or {}).get("round_id")
    rnd = db.session.get(Round, round_id) if round_id else None
    return render_template("codes/refused.html", round=rnd, message=exc.message), 409


@bp.route("/ronde/<int:round_id>/stemcodes")
@role_required(Role.ORGANISER)
def overview(round_id: int):  # type: ignore[no-untyped-def]
    rnd = code_batches.letter_code_round(round_id)
    search = EntrySearchForm(request.args)
    entries: list[RegisterEntry] = []
    searched = bool(request.args) and search.validate()
    if searched:
        entries = code_issue.find_register_entries(
            current_user,
            rnd.id,
            reference=search.reference.data or "",
            postcode=normalise_postcode(search.postcode.data or "") or "",
            house_number=search.house_number.data,
        )
    return render_template(
        "codes/overview.html",
        round=rnd,
        batches=code_batches.round_batches(rnd.id),
        search=search,
        searched=searched,
        entries=entries,
        codes=code_issue.live_code_status([e.id for e in entries]),
        form=ConfirmForm(),
        issue_form=IssueForm(),
    )


@bp.route("/ronde/<int:round_id>/stemcodes/maken", methods=["POST"])
@role_required(Role.ORGANISER)
def start_batch(round_id: int):  # type: ignore[no-untyped-def]
    if not ConfirmForm().validate_on_submit():
        abort(400)
    code_batches.start_code_batch(current_user, round_id)
    flash(_("The letters are being made. Refresh this page to see the progress."), "success")
    return redirect(url_for(".overview", round_id=round_id))


@bp.route("/stemcodes/batch/<int:batch_id>/<kind>", methods=["POST"])
@role_required(Role.ORGANISER)
def download(batch_id: int, kind: str):  # type: ignore[no-untyped-def]
    """Send the file once, then delete it (it is unlinked as soon as it is open; the send reads the handle)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        path = code_batches.take_batch_file(current_user, batch_id, kind)
    except code_batches.FileGone as gone:
        return render_template("codes/file_gone.html", message=gone.message), 410
    handle = path.open("rb")
    code_batches.discard_sent_file(batch_id, kind)
    mimetype = "application/pdf" if kind == "pdf" else "text/csv"
    return send_file(
        handle, mimetype=mimetype, as_attachment=True, download_name=f"stemcodes-batch-{batch_id}.{kind}"
    )


@bp.route("/ronde/<int:round_id>/stemcodes/uitgeven", methods=["POST"])
@role_required(Role.ORGANISER)
def issue(round_id: int):  # type: ignore[no-untyped-def]
    form = IssueForm()
    if not form.validate_on_submit() or form.via.data not in (CodeIssue.REISSUE.value, CodeIssue.DESK.value):
        abort(400)
    give = code_issue.issue_desk_code if form.via.data == CodeIssue.DESK.value else code_issue.reissue_code
    issued = give(current_user, round_id, form.reference.data or "")
    letter_form = LetterForm(formdata=None, entry_id=issued.entry_id, code=issued.letter.code)
    return render_template(
        "codes/issued.html", round=db.session.get(Round, round_id), issued=issued, letter_form=letter_form
    )


@bp.route("/ronde/<int:round_id>/stemcodes/brief", methods=["POST"])
@role_required(Role.ORGANISER)
def single_letter(round_id: int):  # type: ignore[no-untyped-def]
    """One letter as a PDF, for the code just shown; only a code that is the entry's live code is printed."""
    form = LetterForm()
    code = normalise_voting_code(form.code.data or "") if form.validate_on_submit() else None
    entry_id = form.entry_id.data or ""
    if code is None or not entry_id.isdigit() or len(entry_id) > 9:
        abort(400)
    letter = code_issue.letter_to_print(current_user, round_id, int(entry_id), code)
    if letter is None:
        abort(409)
    rnd = code_batches.letter_code_round(round_id)
    pdf = single_letter_pdf(rnd, letter)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename=stemcode-{entry_id}.pdf"
    return response
