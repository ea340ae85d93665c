"""Voting with a letter code, without an account: code + postcode, then the ballot, then the receipt.

The code travels between the two steps in a hidden form field (POSTed back with the ballot), never in the
session cookie or a URL the site builds: it lives only in the page and the form post. Every answer is
`no-store` and sends no Referer, so a code that came in through the QR link (`?code=`) does not end up in
caches or on other sites.

Failed tries (a code and postcode that do not match) are limited twice:
- per client address, 10 per 10 minutes: brute force from one address is blocked. A resident who types a
  right code and postcode is exempt from this limit, so voters sharing a blocked address (a buurthuis, a
  school) still get through; a right answer tells an attacker nothing, as nobody guesses a 95-bit code.
- per code, 5 per hour, with no exemption: someone holding a stolen code cannot try postcode after postcode,
  not even from many addresses (the count is kept under the code's keyed hash, never the code).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request, url_for

from app.extensions import limiter
from app.services.codes import code_votes as code_voting
from app.services.codes.code_votes import CodeNotRecognised, CodeTypo, CodeVoter
from app.services.errors import RuleViolation
from app.services.voting import ballots
from app.services.voting.ballots import BallotMarks
from app.web.ballot_marks import marks_from
from app.web.code_vote.forms import CodeBallotForm, CodeForm
from app.web.organise.feedback import add_error

bp = Blueprint("code_vote", __name__)
FAILED_TRIES_LIMIT = "10 per 10 minutes"
FAILED_TRIES_PER_CODE_LIMIT = "5 per hour"
_CODE_IN_QUERY = re.compile(r"([?&]code=)[^&\s\"]*")


class HideCodesInRequestLines(logging.Filter):
    """The development server logs every request line; the QR link's `?code=` must not end up in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "code=" in message:
            record.msg, record.args = _CODE_IN_QUERY.sub(r"\1[hidden]", message), ()
        return True


@bp.record_once
def _hide_codes_in_request_logs(state: Any) -> None:
    logging.getLogger("werkzeug").addFilter(HideCodesInRequestLines())


def _failed_try(response: Response) -> bool:
    """Only failed tries count against the limit (set by the views below)."""
    return bool(g.get("code_vote_failed"))


def _right_code_and_postcode() -> bool:
    """Exempts a resident with a matching code and postcode from the per-address limit."""
    if request.method != "POST":
        return False
    return code_voting.code_matches_postcode(request.form.get("code", ""), request.form.get("postcode", ""))


def _code_key() -> str:
    return code_voting.code_failure_key(request.form.get("code", ""))


address_limit = limiter.shared_limit(
    FAILED_TRIES_LIMIT,
    scope="voting-code",
    methods=["POST"],
    deduct_when=_failed_try,
    exempt_when=_right_code_and_postcode,
)
per_code_limit = limiter.shared_limit(
    FAILED_TRIES_PER_CODE_LIMIT,
    scope="voting-code-per-code",
    key_func=_code_key,
    methods=["POST"],
    deduct_when=_failed_try,
)


def code_entry_limit(view: Any) -> Any:
    return address_limit(per_code_limit(view))


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(429)
def _too_many(exc: Any) -> tuple[str, int]:
    return render_template("code_vote/too_many.html"), 429


@bp.route("/stemmen/code", methods=["GET", "POST"])
@code_entry_limit
def enter_code():  # type: ignore[no-untyped-def]
    form = CodeForm()
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:64]
        return _code_page(form)
    if not form.validate_on_submit():
        return _code_page(form, 400)
    try:
        voter = code_voting.identify_code_voter(form.code.data, form.postcode.data, form.receipt.data or "")
    except RuleViolation as exc:
        return _refuse(form, exc)
    hidden = CodeBallotForm(formdata=None, code=voter.code, postcode=voter.postcode, receipt=voter.receipt)
    return _ballot_page(voter, hidden, _current_choices(voter), checked=False)


@bp.route("/stemmen/code/stem", methods=["POST"])
@code_entry_limit
def cast():  # type: ignore[no-untyped-def]
    form = CodeBallotForm()
    if not form.validate_on_submit():
        abort(400)
    values = (form.code.data or "", form.postcode.data or "", form.receipt.data or "")
    try:
        voter = code_voting.identify_code_voter(*values)
    except RuleViolation as exc:
        return _refuse(CodeForm(formdata=None), exc)
    marks = marks_from(request.form)
    if request.form.get("action") == "check":
        return _ballot_page(voter, form, marks, checked=True)
    try:
        stored, created = code_voting.cast_code_ballot(values[0], values[1], marks, values[2])
    except ballots.BallotRejected:
        return _ballot_page(voter, form, marks, checked=True, status=400)
    except RuleViolation as exc:
        return _refuse(CodeForm(formdata=None), exc)
    return render_template(
        "code_vote/receipt.html",
        round=voter.round,
        ballot=stored,
        created=created,
        projects=ballots.chosen_projects(stored),
        values=ballots.choice_values(stored),
    )


def _refuse(form: CodeForm, exc: RuleViolation) -> tuple[str, int]:
    """Show why on the code form. Only a code + postcode that match nothing counts as a failed try."""
    if isinstance(exc, CodeNotRecognised):
        g.code_vote_failed = True
    add_error(form, exc.field, exc.message)
    return _code_page(form, 400 if isinstance(exc, CodeTypo | CodeNotRecognised) else 409)


def _code_page(form: CodeForm, status: int = 200) -> tuple[str, int]:
    return render_template("code_vote/enter.html", form=form), status


def _current_choices(voter: CodeVoter) -> BallotMarks:
    """A voter changing their vote starts from what they chose before."""
    return code_voting.current_marks(voter) if voter.replacing else BallotMarks()


def _ballot_page(
    voter: CodeVoter, form: CodeBallotForm, marks: BallotMarks, *, checked: bool, status: int = 200
) -> tuple[str, int]:
    rnd = voter.round
    buurt = code_voting.voter_buurt(voter)
    check = ballots.check_ballot(rnd, marks, register_buurt_id=buurt)
    page = render_template(
        "code_vote/ballot.html",
        round=rnd,
        form=form,
        options=ballots.ballot_options(rnd),
        parts=ballots.page_parts(rnd, check, register_buurt_id=buurt),
        buurt_choice=False,
        check=check,
        checked=checked,
        has_voted=voter.replacing,
        ballot_action=url_for("code_vote.cast"),
    )
    return page, status
