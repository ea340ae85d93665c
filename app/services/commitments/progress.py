"""Progress updates on a commitment, posted by professionals and organisers and shown to everyone."""

from __future__ import annotations

from app.extensions import db
from app.models import ProgressUpdate, Role, User
from app.models.commitment import PROGRESS_STATUS_VALUES
from app.money import MAX_CENTS
from app.services.audit import record_event
from app.services.commitments import photos
from app.services.commitments.promises import lock_commitment, refuse_if_dropped, subject
from app.services.errors import NotAllowed, RuleViolation
from app.translated import lazy_gettext as _l
from app.typed_text import multi_line

TEXT_MAX = 4000


def post_progress(
    actor: User, commitment_id: int, *, status: str, spent_cents: int | None, text: str, photo: bytes | None
) -> ProgressUpdate:
    """Add a public progress update; the commitment takes the update's status ("delivered" included).

    Rules: professionals and organisers only; not on a dropped commitment; status planned, in progress,
    delayed or delivered; `spent_cents` is the total spent so far, 0 or more (it may exceed the budget: that
    is shown, not hidden); a text of 1 to 4000 characters; an optional photo (see `photos.store_photo`).
    Audited as "commitment.progress". One transaction; a photo is removed again if the update is not saved.
    """
    if not actor.has_role(Role.PROFESSIONAL, Role.ORGANISER):
        raise NotAllowed(_l("Only professionals and organisers can post progress."))
    commitment = lock_commitment(commitment_id)
    refuse_if_dropped(commitment)
    text = multi_line(text)
    _check(status, spent_cents, text)
    assert spent_cents is not None
    photo_name = photos.store_photo(photo) if photo else None
    try:
        update = ProgressUpdate(
            commitment_id=commitment.id,
            author_id=actor.id,
            status=status,
            spent_cents=spent_cents,
            text=text,
            photo_name=photo_name,
        )
        db.session.add(update)
        commitment.status = status
        db.session.flush()
        record_event(
            actor,
            "commitment.progress",
            round_id=commitment.round_id,
            subject=subject(commitment),
            details={"update_id": update.id, "status": status, "spent_cents": spent_cents},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        photos.discard_photo(photo_name)
        raise
    return update


def _check(status: str, spent_cents: int | None, text: str) -> None:
    if status not in PROGRESS_STATUS_VALUES:
        raise RuleViolation(_l("Choose one of the options."), field="status")
    if spent_cents is None:
        raise RuleViolation(_l("Fill in how much has been spent so far (0 if nothing yet)."), field="spent")
    if not 0 <= spent_cents <= MAX_CENTS:
        raise RuleViolation(_l("The money spent cannot be negative."), field="spent")
    if not text:
        raise RuleViolation(_l("Describe the progress in a few words."), field="text")
    if len(text) > TEXT_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=TEXT_MAX), field="text")
