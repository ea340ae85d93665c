"""Every file path comes from STORAGE_DIR unless set on its own, and never depends on the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import INSTANCE_DIR, Config


@pytest.fixture(autouse=True)
def _no_path_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STORAGE_DIR", "LETTERS_DIR", "PROGRESS_PHOTO_DIR", "MAIL_FILE_PATH", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "storage-test")


def test_every_file_lives_under_the_storage_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_DIR", str(tmp_path))
    config = Config()
    assert config.STORAGE_DIR == str(tmp_path)
    assert config.LETTERS_DIR == str(tmp_path / "letters")
    assert config.PROGRESS_PHOTO_DIR == str(tmp_path / "uploads" / "progress")
    assert config.MAIL_FILE_PATH == str(tmp_path / "outbox")
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'wijkbudget.sqlite'}"


def test_a_relative_storage_dir_is_fixed_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STORAGE_DIR", "data")
    config = Config()
    monkeypatch.chdir("/")
    assert config.LETTERS_DIR == str(tmp_path / "data" / "letters")


def test_a_path_set_on_its_own_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_DIR", str(tmp_path / "storage"))
    monkeypatch.setenv("PROGRESS_PHOTO_DIR", str(tmp_path / "photos"))
    config = Config()
    assert config.PROGRESS_PHOTO_DIR == str(tmp_path / "photos")
    assert config.LETTERS_DIR == str(tmp_path / "storage" / "letters")


def test_the_default_is_the_instance_folder_beside_the_code() -> None:
    config = Config()
    assert config.STORAGE_DIR == str(INSTANCE_DIR)
    assert config.MAIL_FILE_PATH == str(INSTANCE_DIR / "outbox")
