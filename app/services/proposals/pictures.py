"""Pictures of proposals: up to MAX_PICTURES each, added and removed by the author while the proposal may still
be changed, re-encoded without location data, with a thumbnail and a required text alternative.

Files live in PICTURE_DIR (default: the instance folder's `uploads/pictures`) under random names. Nothing is
written before every check passed; a file whose row was not saved is removed again.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from io import BytesIO
from pathlib import Path

from flask import current_app
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Project, ProjectStatus, ProposalPicture, User
from app.models.picture import ALT_TEXT_MAX
from app.services.audit import record_event
from app.services.errors import NotFound, RuleViolation
from app.services.images import EXTENSIONS, MIMETYPES, reencode, thumbnail
from app.services.proposals.submissions import MAX_ID, may_propose, own_proposal
from app.translated import lazy_gettext as _l

MAX_PICTURES = 3
MAX_PICTURE_BYTES = 10 * 1024 * 1024
THUMBNAIL_SIZE = (480, 360)
_NAME = re.compile(r"[A-Za-z0-9_-]{22}(-thumb)?\.(jpg|png|webp)")


def picture_dir() -> Path:
    configured = current_app.config.get("PICTURE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "pictures"


def may_change_pictures(actor: User, project: Project) -> RuleViolation | None:
    problem = may_propose(actor, project.round)
    if problem is None and project.status != ProjectStatus.SUBMITTED.value:
        problem = RuleViolation(_l("This proposal can no longer be changed."))
    return problem


def add_picture(actor: User, project_id: int, data: bytes | None, alt_text: str) -> ProposalPicture:
    """Check, clean and store a picture of the actor's own proposal. RuleViolation (field "picture" or
    "alt_text") names every refusal; nothing is stored then."""
    project = own_proposal(actor, project_id)
    _refuse(may_change_pictures(actor, project))
    alt = " ".join(alt_text.replace("\x00", "").split())
    if not alt:
        raise RuleViolation(_l("Describe the picture for people who cannot see it."), "alt_text")
    if len(alt) > ALT_TEXT_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=ALT_TEXT_MAX), "alt_text")
    # Two uploads at once must not make a fourth picture: the proposal row is the lock.
    db.session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    if _count(project.id) >= MAX_PICTURES:
        raise RuleViolation(
            _l("A proposal has at most %(n)d pictures. Remove one first.", n=MAX_PICTURES), "picture"
        )
    if not data:
        raise RuleViolation(_l("Choose a picture."), "picture")
    if len(data) > MAX_PICTURE_BYTES:
        raise RuleViolation(_l("The picture is too large: at most 10 MB."), "picture")
    image_format, cleaned = reencode(data, "picture")
    picture = _store(project, image_format, cleaned, alt)
    record_event(actor, "proposal.picture_added", round_id=project.round_id, subject=f"project:{project.id}")
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        _discard(picture.file_name, picture.thumb_name)
        raise
    return picture


def _store(project: Project, image_format: str, cleaned: bytes, alt: str) -> ProposalPicture:
    folder = picture_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem, extension = secrets.token_urlsafe(16), EXTENSIONS[image_format]
    name, thumb = f"{stem}.{extension}", f"{stem}-thumb.{extension}"
    with Image.open(BytesIO(cleaned)) as image:
        width, height = image.size
    (folder / name).write_bytes(cleaned)
    (folder / thumb).write_bytes(thumbnail(cleaned, image_format, THUMBNAIL_SIZE))
    picture = ProposalPicture(
        round_id=project.round_id,
        project_id=project.id,
        file_name=name,
        thumb_name=thumb,
        alt_text=alt,
        width=width,
        height=height,
    )
    db.session.add(picture)
    return picture


def picture_project_id(picture_id: int) -> int:
    return _picture(picture_id).project_id


def _picture(picture_id: int) -> ProposalPicture:
    picture = db.session.get(ProposalPicture, picture_id) if 0 < picture_id <= MAX_ID else None
    if picture is None:
        raise NotFound(_l("This picture does not exist."))
    return picture


def remove_picture(actor: User, picture_id: int) -> None:
    picture = _picture(picture_id)
    project = own_proposal(actor, picture.project_id)
    _refuse(may_change_pictures(actor, project))
    names = (picture.file_name, picture.thumb_name)
    db.session.delete(picture)
    record_event(
        actor, "proposal.picture_removed", round_id=project.round_id, subject=f"project:{project.id}"
    )
    db.session.commit()
    _discard(*names)


def pictures_of(project_ids: list[int]) -> dict[int, list[ProposalPicture]]:
    """The pictures of each project, in the order they were added."""
    found: dict[int, list[ProposalPicture]] = defaultdict(list)
    if project_ids:
        for picture in db.session.scalars(
            select(ProposalPicture)
            .where(ProposalPicture.project_id.in_(project_ids))
            .order_by(ProposalPicture.id)
        ):
            found[picture.project_id].append(picture)
    return found


def first_pictures_in_round_of(project_id: int) -> dict[int, ProposalPicture]:
    """The first picture of every project in the round of `project_id` (one query for a whole ballot)."""
    round_id = select(Project.round_id).where(Project.id == project_id).scalar_subquery()
    first: dict[int, ProposalPicture] = {}
    for picture in db.session.scalars(
        select(ProposalPicture).where(ProposalPicture.round_id == round_id).order_by(ProposalPicture.id)
    ):
        first.setdefault(picture.project_id, picture)
    return first


def picture_file(name: str) -> Path | None:
    """The stored file of a picture (or thumbnail) name of a visible proposal; None otherwise."""
    if not _NAME.fullmatch(name):
        return None
    known = select(ProposalPicture.id).where(
        (ProposalPicture.file_name == name) | (ProposalPicture.thumb_name == name)
    )
    path = picture_dir() / name
    return path if db.session.scalar(known) is not None and path.is_file() else None


def mimetype(name: str) -> str:
    return MIMETYPES[name.rsplit(".", 1)[-1]]


def _count(project_id: int) -> int:
    return db.session.scalar(select(func.count()).where(ProposalPicture.project_id == project_id)) or 0


def _discard(*names: str) -> None:
    for name in names:
        if _NAME.fullmatch(name):
            (picture_dir() / name).unlink(missing_ok=True)


def _refuse(problem: RuleViolation | None) -> None:
    if problem is not None:
        raise problem
