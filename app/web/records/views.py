"""The election record of a published round: downloads, the receipt list and "was my ballot counted?".

No login: everything here is public once (and only once) the round's result is published.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from app.extensions import limiter
from app.models import ElectionRecord, Round
from app.services.errors import NotFound, RuleViolation
from app.services.results import publishing, receipts
from app.services.results import record as election_record
from app.services.results.record_files import file_names, part_pb_name
from app.web.records.forms import ReceiptCheckForm
from app.web.records.recount import RecountHelp, RecountSettings, recount_help

bp = Blueprint("records", __name__, url_prefix="/uitslag")

CONTENT_TYPES = {
    "pb": "text/plain; charset=utf-8",  # pabulib has no registered media type; it is UTF-8 text
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@bp.route("/<int:round_id>/record.<any(pb, csv, json):kind>")
def download(round_id: int, kind: str):  # type: ignore[no-untyped-def]
    record = _record_or_404(round_id)
    text = {"pb": record.pb_text, "csv": record.csv_text, "json": record.record_json}[kind]
    return _attachment(text.encode("utf-8"), CONTENT_TYPES[kind], file_names(round_id)[kind])


@bp.route("/<int:round_id>/record-<part>.pb")
def download_part(round_id: int, part: str):  # type: ignore[no-untyped-def]
    """The `.pb` of one buurt part of the ballot (the wijk's part is `record.pb`)."""
    record = _record_or_404(round_id)
    name = part_pb_name(round_id, part)
    text = (record.part_pb_texts or {}).get(name)
    if text is None:
        abort(404)
    return _attachment(text.encode("utf-8"), CONTENT_TYPES["pb"], name)


@bp.route("/<int:round_id>/stembewijzen")
def receipt_list(round_id: int):  # type: ignore[no-untyped-def]
    published = _published_or_404(round_id)
    codes = receipts.published_receipts(round_id)
    return render_template("records/receipts.html", round=published.round, codes=codes)


@bp.route("/<int:round_id>/stembewijzen.txt")
def receipt_list_text(round_id: int):  # type: ignore[no-untyped-def]
    _published_or_404(round_id)
    text = "".join(f"{code}\n" for code in receipts.published_receipts(round_id))
    return _attachment(text.encode("utf-8"), "text/plain; charset=utf-8", f"round-{round_id}-receipts.txt")


@bp.route("/stembewijs")
@limiter.limit("20 per 10 minutes", exempt_when=lambda: not request.args.get("code"))
def check_receipt():  # type: ignore[no-untyped-def]
    rounds = publishing.published_rounds()
    asked = "code" in request.args
    form = ReceiptCheckForm(formdata=request.args if asked else None)
    form.round_id.choices = [(p.round.id, f"{p.round.title} ({p.round.wijk.name})") for p in rounds]
    if not asked and request.args.get("round_id", type=int):
        form.round_id.data = request.args.get("round_id", type=int)
    answer = _answer(form, rounds) if asked and form.validate() else None
    return render_template("records/check.html", form=form, answer=answer, has_rounds=bool(rounds))


def _answer(form: ReceiptCheckForm, rounds: list[publishing.PublishedRound]) -> dict[str, Any]:
    """Whether the (valid) code was counted in the chosen published round."""
    chosen = next(p.round for p in rounds if p.round.id == form.round_id.data)
    counted = receipts.receipt_counted(chosen.id, form.normalised_code)
    return {"counted": counted, "code": form.normalised_code, "round": chosen}


@bp.app_template_global()
def recount_help_for(rnd: Round, rule: str, tie_break: str) -> RecountHelp | None:
    """For the results page: the record's hash and recount commands, or None if the round has no record."""
    sha256 = election_record.published_record_sha256(rnd.id)
    if sha256 is None:
        return None
    return recount_help(rnd, sha256, RecountSettings.of(rnd, rule, tie_break))


def _record_or_404(round_id: int) -> ElectionRecord:
    try:
        return election_record.published_record(round_id)
    except RuleViolation:  # NotFound included: unpublished and record-less rounds have no files
        abort(404)


def _published_or_404(round_id: int) -> publishing.PublishedRound:
    try:
        return publishing.published_result(round_id)
    except NotFound:
        abort(404)


def _attachment(data: bytes, content_type: str, filename: str) -> Response:
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
