"""Uploading pictures of a proposal through the form; they appear on the cards and the proposal page."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Phase, ProjectStatus, ProposalPicture
from tests.commitments_data import image_bytes
from tests.factories import login, make_project, make_round, make_user


@pytest.fixture
def picture_dir(app: Flask, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setitem(app.config, "PICTURE_DIR", str(tmp_path))
    return tmp_path


def _author_with_proposal(client: FlaskClient):  # type: ignore[no-untyped-def]
    rnd = make_round(phase=Phase.PROPOSALS)
    author = make_user(wijk=rnd.wijk)
    project = make_project(rnd, status=ProjectStatus.SUBMITTED, author_id=author.id)
    login(client, author)
    return project


def test_upload_and_show_a_picture(client: FlaskClient, picture_dir: Path) -> None:
    project = _author_with_proposal(client)
    response = client.post(
        f"/voorstel/{project.id}/fotos",
        data={"picture": (BytesIO(image_bytes(exif=True)), "plein.jpg"), "alt_text": "Het lege plein"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [picture] = db.session.query(ProposalPicture).all()
    page = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert f'src="/foto/{picture.thumb_name}" alt="Het lege plein"' in page
    cards = client.get(f"/ronde/{project.round_id}/projecten").get_data(as_text=True)
    assert picture.thumb_name in cards
    served = client.get(f"/foto/{picture.file_name}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_non_image_gets_a_dutch_message_and_nothing_is_stored(
    client: FlaskClient, picture_dir: Path
) -> None:
    project = _author_with_proposal(client)
    response = client.post(
        f"/voorstel/{project.id}/fotos",
        data={"picture": (BytesIO(b"MZ not a picture"), "virus.jpg"), "alt_text": "Iets"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Dit bestand is geen foto" in response.get_data(as_text=True)
    assert db.session.query(ProposalPicture).count() == 0 and list(picture_dir.iterdir()) == []


def test_a_30_mb_upload_is_refused_before_it_is_read(client: FlaskClient, picture_dir: Path) -> None:
    project = _author_with_proposal(client)
    response = client.post(
        f"/voorstel/{project.id}/fotos",
        data={"picture": (BytesIO(b"\xff" * (30 * 1024 * 1024)), "groot.jpg"), "alt_text": "Groot"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "maximaal 10 MB" in response.get_data(as_text=True)
    assert db.session.query(ProposalPicture).count() == 0 and list(picture_dir.iterdir()) == []


def test_unknown_picture_names_are_404(client: FlaskClient, picture_dir: Path) -> None:
    assert client.get("/foto/..%2Fsecret_key").status_code == 404
    assert client.get("/foto/AAAAAAAAAAAAAAAAAAAAAA.jpg").status_code == 404
