"""Settings read from the environment. No secrets live in code."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'wijkbudget.sqlite'}"
    # Heroku-style URLs and plain "postgresql://" both go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # The embedded default keeps a generated key in instance/ so sessions survive restarts
    # without anyone putting a secret in the repository.
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    """Production and embedded defaults; every value can come from the environment."""

    def __init__(self) -> None:
        self.SECRET_KEY = _secret_key()
        # Keyed hashes (anonymous voter keys, receipts) use their own secret so rotating the
        # session key does not reshuffle who voted.
        self.VOTER_KEY_SECRET = os.environ.get("VOTER_KEY_SECRET", self.SECRET_KEY)
        # Letter codes are stored only as HMACs under this secret; losing it makes every printed code useless.
        self.VOTING_CODE_SECRET = os.environ.get("VOTING_CODE_SECRET", self.VOTER_KEY_SECRET)
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        self.CELERY = {
            "broker_url": self.REDIS_URL or "memory://",
            "result_backend": self.REDIS_URL or None,
            # Without a broker the embedded default runs every task in-process.
            "task_always_eager": not self.REDIS_URL,
            "task_eager_propagates": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "timezone": "UTC",
            "beat_schedule": {
                "advance-round-phases": {"task": "wijkbudget.advance_phases", "schedule": 60.0},
                "purge-registers": {"task": "wijkbudget.purge_registers", "schedule": 3600.0},
            },
        }
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
        self.BABEL_DEFAULT_LOCALE = "nl"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
        self.LANGUAGES = ("nl", "en")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
        self.WTF_CSRF_TIME_LIMIT = None


class TestConfig(Config):
    """Tests use TEST_DATABASE_URL (PostgreSQL in CI) and run tasks in-process."""

    __test__ = False  # not a pytest test class

    def __init__(self, database_url: str | None = None) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key"  # noqa: S105 - fixed key for reproducible tests
        self.VOTER_KEY_SECRET = "test-voter-key-secret"  # noqa: S105
        self.VOTING_CODE_SECRET = "test-voting-code-secret"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = database_url or os.environ.get(
            "TEST_DATABASE_URL", "sqlite:///:memory:"
        )
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql://"):
            self.SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://" + self.SQLALCHEMY_DATABASE_URI[13:]
        self.CELERY = dict(self.CELERY, task_always_eager=True, broker_url="memory://", result_backend=None)
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.RATELIMIT_ENABLED = False
        self.WTF_CSRF_ENABLED = False
