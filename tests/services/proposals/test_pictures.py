"""Pictures of proposals: at most three, re-encoded without location data, with a thumbnail and a text
alternative; anything else is refused with a clear message and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from app.extensions import db
from app.models import Phase, ProjectStatus, ProposalPicture
from app.services.errors import NotAllowed, RuleViolation
from app.services.proposals import pictures
from tests.commitments_data import image_bytes
from tests.factories import make_project, make_round, make_user
from tests.results_data import service_context


@pytest.fixture
def picture_dir(app: Flask, db_session, tmp_path: Path, monkeypatch) -> Iterator[Path]:
    monkeypatch.setitem(app.config, "PICTURE_DIR", str(tmp_path))
    with service_context(app, "en"):
        yield tmp_path


def _own_proposal(phase: Phase = Phase.PROPOSALS):  # type: ignore[no-untyped-def]
    rnd = make_round(phase=phase)
    author = make_user(wijk=rnd.wijk)
    return make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=author.id), author


def _stored(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_picture_is_reencoded_without_location_data_and_gets_a_thumbnail(picture_dir: Path) -> None:
    project, author = _own_proposal()
    picture = pictures.add_picture(
        author, project.id, image_bytes(size=(1600, 1200), exif=True), "Het lege plein achter de bieb"
    )
    assert picture.alt_text == "Het lege plein achter de bieb"
    assert (picture.width, picture.height) == (1600, 1200)
    with Image.open(picture_dir / picture.file_name) as full:
        assert not full.getexif()  # no camera make, no GPS position
    with Image.open(picture_dir / picture.thumb_name) as thumb:
        assert thumb.width <= 480 and thumb.height <= 360
    assert pictures.picture_file(picture.thumb_name) == picture_dir / picture.thumb_name
    assert pictures.picture_file("../secret.jpg") is None


def test_at_most_three_pictures(picture_dir: Path) -> None:
    project, author = _own_proposal()
    for n in range(3):
        pictures.add_picture(author, project.id, image_bytes(), f"Foto {n}")
    with pytest.raises(RuleViolation, match="at most 3"):
        pictures.add_picture(author, project.id, image_bytes(), "Een vierde")
    assert db.session.query(ProposalPicture).count() == 3 and len(_stored(picture_dir)) == 6


@pytest.mark.parametrize(
    ("data", "alt", "field", "says"),
    [
        (b"%PDF-1.4 not an image", "Een pdf", "picture", "not a photo"),
        (b"\xff" * (30 * 1024 * 1024), "Te groot", "picture", "10 MB"),
        (None, "Niets", "picture", "Choose a picture"),
        ("GIF", "Een gif", "picture", "not a photo"),
        ("PNG", "   ", "alt_text", "Describe the picture"),
    ],
    ids=["not-an-image", "30-mb", "no-file", "gif", "no-alt-text"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    picture_dir: Path, data: bytes | str | None, alt: str, field: str, says: str
) -> None:
    project, author = _own_proposal()
    if isinstance(data, str):
        out = BytesIO()
        Image.new("RGB", (4, 4)).save(out, format=data)
        data = out.getvalue()
    with pytest.raises(RuleViolation) as refused:
        pictures.add_picture(author, project.id, data, alt)
    assert refused.value.field == field and says in str(refused.value.message)
    assert db.session.query(ProposalPicture).count() == 0 and _stored(picture_dir) == []


def test_only_the_author_and_only_while_the_proposal_may_change(picture_dir: Path) -> None:
    project, author = _own_proposal()
    with pytest.raises(NotAllowed):
        pictures.add_picture(make_user(wijk=project.round.wijk), project.id, image_bytes(), "Niet van mij")
    reviewed, reviewer_author = _own_proposal(Phase.REVIEW)
    with pytest.raises(RuleViolation):
        pictures.add_picture(reviewer_author, reviewed.id, image_bytes(), "Te laat")
    picture = pictures.add_picture(author, project.id, image_bytes(), "Eerste")
    pictures.remove_picture(author, picture.id)
    assert _stored(picture_dir) == [] and db.session.query(ProposalPicture).count() == 0
