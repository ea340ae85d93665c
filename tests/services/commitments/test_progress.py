"""Progress updates: who may post, what they must contain, and photos that are really images."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CommitmentStatus, ProgressUpdate, Role
from app.services import images
from app.services.commitments import photos
from app.services.commitments.progress import post_progress
from app.services.errors import NotAllowed, RuleViolation
from tests.commitments_data import commitment_of, image_bytes, published_greedy_round
from tests.factories import make_user
from tests.results_data import service_context


@pytest.fixture
def photo_dir(app: Flask, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setitem(app.config, "PROGRESS_PHOTO_DIR", str(tmp_path))
    return tmp_path


def _post(app: Flask, actor, commitment_id: int, **overrides) -> ProgressUpdate:
    values = {
        "status": "in_progress",
        "spent_cents": 120_000,
        "text": "De grond is bouwrijp gemaakt.",
        "photo": None,
    }
    values.update(overrides)
    with service_context(app):
        return post_progress(actor, commitment_id, **values)


def test_professional_posts_progress_and_delivered_sets_the_status(app: Flask, db_session, photo_dir) -> None:
    data = published_greedy_round(app)
    professional = make_user(Role.PROFESSIONAL)
    commitment_id = commitment_of(data.a).id
    _post(app, professional, commitment_id)
    assert commitment_of(data.a).status == CommitmentStatus.IN_PROGRESS.value
    _post(app, professional, commitment_id, status="delivered", spent_cents=480_000, text="Geopend!")
    commitment = commitment_of(data.a)
    assert commitment.status == CommitmentStatus.DELIVERED.value
    assert commitment.spent_cents == 480_000
    assert [u.status for u in commitment.updates] == ["in_progress", "delivered"]
    assert commitment.updates[0].author_id == professional.id
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "commitment.progress")
    ).all()
    assert len(events) == 2


def test_organisers_may_post_progress_too(app: Flask, db_session, photo_dir) -> None:
    data = published_greedy_round(app)
    update = _post(app, make_user(Role.ORGANISER), commitment_of(data.a).id, status="delayed")
    assert update.status == "delayed"
    assert commitment_of(data.a).status == "delayed"


def test_a_resident_cannot_post_progress(app: Flask, db_session, photo_dir) -> None:
    data = published_greedy_round(app)
    with pytest.raises(NotAllowed):
        _post(app, make_user(Role.RESIDENT), commitment_of(data.a).id)
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"spent_cents": -1}, "spent"),
        ({"spent_cents": None}, "spent"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"status": "dropped"}, "status"),
        ({"status": "finished"}, "status"),
    ],
)
def test_bad_input_is_refused_with_its_field(app: Flask, db_session, photo_dir, overrides, field) -> None:
    data = published_greedy_round(app)
    with pytest.raises(RuleViolation) as refused:
        _post(app, make_user(Role.PROFESSIONAL), commitment_of(data.a).id, **overrides)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0
    assert commitment_of(data.a).status == "planned"


def test_spending_above_the_budget_is_shown_not_refused(app: Flask, db_session, photo_dir) -> None:
    data = published_greedy_round(app)
    _post(app, make_user(Role.PROFESSIONAL), commitment_of(data.a).id, spent_cents=data.a.cost_cents + 1)
    assert commitment_of(data.a).spent_cents > commitment_of(data.a).budget_cents


def test_a_dropped_commitment_takes_no_progress(app: Flask, db_session, photo_dir) -> None:
    data = published_greedy_round(app)
    commitment = commitment_of(data.a)
    commitment.status = CommitmentStatus.DROPPED.value
    db.session.commit()
    with pytest.raises(RuleViolation):
        _post(app, make_user(Role.PROFESSIONAL), commitment.id)


def test_a_photo_is_stored_under_a_random_name_without_its_metadata(
    app: Flask, db_session, photo_dir
) -> None:
    data = published_greedy_round(app)
    update = _post(app, make_user(Role.PROFESSIONAL), commitment_of(data.a).id, photo=image_bytes(exif=True))
    assert update.photo_name is not None and update.photo_name.endswith(".jpg")
    stored = photo_dir / update.photo_name
    with Image.open(BytesIO(stored.read_bytes())) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}  # no phone make, no GPS position


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(app: Flask, db_session, photo_dir, image_format: str) -> None:
    data = published_greedy_round(app)
    update = _post(
        app, make_user(Role.PROFESSIONAL), commitment_of(data.a).id, photo=image_bytes(image_format)
    )
    assert update.photo_name.endswith("." + image_format.lower())


@pytest.mark.parametrize(
    "payload",
    [
        b"%PDF-1.4 not an image",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        image_bytes("JPEG")[:40],  # a truncated JPEG
        image_bytes("GIF"),  # a real image, but not a photo type we accept
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(
    app, db_session, photo_dir, payload
) -> None:
    data = published_greedy_round(app)
    with pytest.raises(RuleViolation) as refused:
        _post(app, make_user(Role.PROFESSIONAL), commitment_of(data.a).id, photo=payload)
    assert refused.value.field == "photo"
    assert list(photo_dir.iterdir()) == []
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 0


def test_a_photo_above_5_mb_is_refused(app: Flask, db_session, photo_dir) -> None:
    data = published_greedy_round(app)
    with pytest.raises(RuleViolation) as refused:
        _post(
            app,
            make_user(Role.PROFESSIONAL),
            commitment_of(data.a).id,
            photo=b"\xff" * (photos.MAX_PHOTO_BYTES + 1),
        )
    assert "5 MB" in str(refused.value.message)


def test_a_decompression_bomb_is_refused(app: Flask, db_session, photo_dir, monkeypatch) -> None:
    monkeypatch.setattr(images, "MAX_PIXELS", 40)
    data = published_greedy_round(app)
    with pytest.raises(RuleViolation) as refused:
        _post(app, make_user(Role.PROFESSIONAL), commitment_of(data.a).id, photo=image_bytes(size=(10, 10)))
    assert refused.value.field == "photo"


def test_the_photo_is_removed_when_the_update_is_not_saved(
    app: Flask, db_session, photo_dir, monkeypatch
) -> None:
    data = published_greedy_round(app)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("app.services.commitments.progress.record_event", broken)
    with pytest.raises(RuntimeError):
        _post(app, make_user(Role.PROFESSIONAL), commitment_of(data.a).id, photo=image_bytes())
    assert list(photo_dir.iterdir()) == []


def test_photo_file_only_knows_our_own_names(app: Flask, photo_dir) -> None:
    with app.app_context():
        assert photos.photo_file("../secret_key") is None
        assert photos.photo_file("abc.jpg") is None
        (photo_dir / ("a" * 22 + ".jpg")).write_bytes(b"x")
        assert photos.photo_file("a" * 22 + ".jpg") == photo_dir / ("a" * 22 + ".jpg")
