"""Public amendments: the only way to correct a round once voting has opened, and always in the open.

From the moment voting opens, residents cast their ballots against the round's kaders and its project list,
so those are frozen (see `app.models.freeze`). A mistake in a text can still be corrected, but only by an
organiser, with a written reason, logged in the audit log and listed on the round's public pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Amendment, Project, Round, User
from app.models.amendment import PROJECT_AMENDABLE, ROUND_AMENDABLE
from app.models.freeze import amending
from app.services.audit import record_event
from app.services.errors import NotFound, RuleViolation
from app.services.proposals import submissions as proposals
from app.services.results.counting import lock_round, refuse
from app.services.rounds import kaders as rounds
from app.services.rounds.wijken import require_organiser
from app.translated import lazy_gettext as _l
from app.typed_text import multi_line, one_line

REASON_MAX = 4000


@dataclass(frozen=True)
class _TextRule:
    minimum: int
    maximum: int
    one_line: bool  # titles: inner whitespace collapsed to single spaces


_ROUND_TEXTS = {
    "title": _TextRule(1, rounds.TITLE_MAX, True),
    "out_of_scope": _TextRule(0, rounds.OUT_OF_SCOPE_MAX, False),
}
_PROJECT_TEXTS = {
    "title": _TextRule(proposals.TITLE_MIN, proposals.TITLE_MAX, True),
    "description": _TextRule(proposals.DESCRIPTION_MIN, proposals.DESCRIPTION_MAX, False),
}
assert set(_ROUND_TEXTS) == set(ROUND_AMENDABLE)
assert set(_PROJECT_TEXTS) | {"category"} == set(PROJECT_AMENDABLE)


def amend_round(
    actor: User, round_id: int, *, field: str, new_value: str, reason: str, project_id: int | None = None
) -> Amendment:
    """Correct one text of a frozen round (or of one of its projects) in public; returns the Amendment.

    Rules: only organisers; only once the round's kaders are frozen (VOTING or later; before that the
    organiser edits the round itself); a reason is required and shown publicly; the new text must differ
    and keep the usual length limits; a project's category must be one of the round's themes.

    Amendable: the round's title and out-of-scope text, a project's title, description and category label.
    Never amendable: money (budget, costs, cost limits), the counting rule, the tie-break and its lot, the
    ballot type and choice limits, the dates, and which projects are on the ballot (their status). Ballots
    were cast against exactly these; changing one would change what a cast ballot means or how it counts,
    so the count would no longer be the count of the vote residents took part in. (Category caps would make
    the category count too; no round rule uses them.)

    Records the old and new value in an Amendment and a "round.amended" audit event. One transaction.
    """
    require_organiser(actor)
    rnd = lock_round(round_id)
    if not rnd.kaders_frozen:
        refuse(
            RuleViolation(
                _l(
                    "Voting has not opened yet, so you can still change the round itself; no amendment needed."
                )
            )
        )
    target: Round | Project = rnd if project_id is None else _project_of(rnd, project_id)
    reason = multi_line(reason)
    new = _checked_value(rnd, target, field, new_value)
    _check_reason(reason)
    old = getattr(target, field)
    if new == old:
        refuse(RuleViolation(_l("The new text is the same as the current one."), field="new_value"))
    with amending(db.session):
        setattr(target, field, new)
        amendment = Amendment(
            round_id=rnd.id,
            project_id=project_id,
            organiser_id=actor.id,
            reason=reason,
            field=field,
            old_value=old,
            new_value=new,
        )
        db.session.add(amendment)
        db.session.flush()
        record_event(
            actor,
            "round.amended",
            round_id=rnd.id,
            subject=f"round {rnd.id}: {rnd.title}"[:120],
            details={
                "amendment_id": amendment.id,
                "project_id": project_id,
                "field": field,
                "old": old,
                "new": new,
                "reason": reason,
            },
        )
        db.session.commit()
    return amendment


def amendments_of(round_id: int, project_id: int | None = None) -> list[Amendment]:
    """The public amendments of a round (or only those of one project), oldest first."""
    query = select(Amendment).where(Amendment.round_id == round_id)
    if project_id is not None:
        query = query.where(Amendment.project_id == project_id)
    return list(db.session.scalars(query.order_by(Amendment.created_at, Amendment.id)))


def amendable_fields(project: bool) -> tuple[str, ...]:
    return PROJECT_AMENDABLE if project else ROUND_AMENDABLE


def _project_of(rnd: Round, project_id: int) -> Project:
    project = db.session.get(Project, project_id) if 0 < project_id <= proposals.MAX_ID else None
    if project is None or project.round_id != rnd.id:
        refuse(NotFound(_l("This project does not exist.")))
    return project


def _checked_value(rnd: Round, target: Round | Project, field: str, value: str) -> str:
    if field not in amendable_fields(isinstance(target, Project)):
        refuse(
            RuleViolation(
                _l(
                    "Only texts can be corrected. Money, costs, the counting rule, the tie-break and which "
                    "projects are on the ballot stay as they were when voting opened."
                ),
                field="target",
            )
        )
    if field == "category":
        if value not in rnd.categories:
            refuse(RuleViolation(_l("Choose one of the themes of this round."), field="new_value"))
        return value
    rule = (_PROJECT_TEXTS if isinstance(target, Project) else _ROUND_TEXTS)[field]
    text = one_line(value) if rule.one_line else multi_line(value)
    if not rule.minimum <= len(text) <= rule.maximum:
        refuse(
            RuleViolation(
                _l("Use between %(min)d and %(max)d characters.", min=rule.minimum, max=rule.maximum),
                field="new_value",
            )
        )
    return text


def _check_reason(reason: str) -> None:
    if not reason:
        refuse(
            RuleViolation(
                _l("Explain why this correction is needed. Residents will see this reason."), field="reason"
            )
        )
    if len(reason) > REASON_MAX:
        refuse(RuleViolation(_l("Use at most %(n)d characters.", n=REASON_MAX), field="reason"))
