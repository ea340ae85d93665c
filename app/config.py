"""Settings read from the environment. No secrets live in code."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from app.theme import theme_from_settings

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
# PDOK's BRT-Achtergrondkaart (free, no key), the default map for production.
PDOK_TILES = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"


def storage_dir() -> Path:
    """The one folder for every file the platform writes (letters, photos, the embedded outbox, the embedded
    database and secret key): `STORAGE_DIR`, by default `instance/` beside the code. Web, worker and beat must
    share it (a volume in docker-compose); a relative path is taken from the working directory at start."""
    configured = os.environ.get("STORAGE_DIR", "").strip()
    return Path(configured).resolve() if configured else INSTANCE_DIR


def _path_setting(name: str, default: Path) -> str:
    """A path setting derived from STORAGE_DIR unless set on its own."""
    configured = os.environ.get(name, "").strip()
    return str(Path(configured).resolve() if configured else default)


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{storage_dir() / 'wijkbudget.sqlite'}"
    # Heroku-style URLs and plain "postgresql://" both go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _engine_options(url: str) -> dict[str, object]:
    options: dict[str, object] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        # A database host that does not answer must fail a request in seconds, not hold a worker thread.
        options["connect_args"] = {"connect_timeout": 5}
    return options


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # The embedded default keeps a generated key in the storage folder so sessions survive restarts
    # without anyone putting a secret in the repository.
    folder = storage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    """Production and embedded defaults; every value can come from the environment."""

    def __init__(self) -> None:
        self.STORAGE_DIR = str(storage_dir())
        self.SECRET_KEY = _secret_key()
        # Keyed hashes (anonymous voter keys, receipts) use their own secret so rotating the
        # session key does not reshuffle who voted.
        self.VOTER_KEY_SECRET = os.environ.get("VOTER_KEY_SECRET") or self.SECRET_KEY
        # Letter codes are stored only as HMACs under this secret; losing it makes every printed code useless.
        # (An empty variable, as docker-compose passes one that is not set, counts as unset.)
        self.VOTING_CODE_SECRET = os.environ.get("VOTING_CODE_SECRET") or self.VOTER_KEY_SECRET
        # How long the link that confirms a resident's e-mail address works (seconds).
        self.EMAIL_CONFIRMATION_MAX_AGE = int(os.environ.get("EMAIL_CONFIRMATION_MAX_AGE", 3 * 24 * 3600))
        # How long a staff invitation (a link that sets the first password) works (seconds).
        self.INVITATION_MAX_AGE = int(os.environ.get("INVITATION_MAX_AGE", 3 * 24 * 3600))
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = _engine_options(self.SQLALCHEMY_DATABASE_URI)
        # Request bodies: at most MAX_CONTENT_LENGTH (a register file of 100,000 lines is about 4 MB), and far
        # less from visitors who are not logged in (their forms are a few fields); more gets a 413 page.
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
        self.ANONYMOUS_MAX_CONTENT_LENGTH = int(os.environ.get("ANONYMOUS_MAX_CONTENT_LENGTH", 256 * 1024))
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        # How often the due-work sweep runs (beat, and `wijkbudget run` without a broker), and a factor on every
        # job's pause between retries (fault drills shorten both).
        self.SWEEP_INTERVAL_SECONDS = float(os.environ.get("SWEEP_INTERVAL_SECONDS", "60"))
        self.JOB_BACKOFF_SCALE = float(os.environ.get("JOB_BACKOFF_SCALE", "1"))
        self.CELERY = {
            "broker_url": self.REDIS_URL or "memory://",
            # Without a broker the embedded default runs every job in-process, from the outbox table.
            "task_always_eager": not self.REDIS_URL,
            "task_eager_propagates": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "timezone": "UTC",
            # Outcomes live in the database (the outbox row and the job's own rows), not in Redis.
            "task_ignore_result": True,
            # A broker that is down must cost a request one short timeout, not a blocked worker: the relay
            # publishes without retrying and leaves the outbox row for the sweep.
            "broker_transport_options": {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0},
            "broker_connection_timeout": 2,
            "broker_connection_retry_on_startup": True,  # a worker started before Redis waits for it
            "worker_prefetch_multiplier": 1,  # long jobs: a waiting job is not held by a busy worker
            "beat_schedule": {
                "sweep-due-work": {"task": "wijkbudget.sweep", "schedule": self.SWEEP_INTERVAL_SECONDS}
            },
        }
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self._page_cache_settings()
        # A winner's delivery is planned this many months after publication until an organiser sets a date.
        self.COMMITMENT_DELIVERY_MONTHS = int(os.environ.get("COMMITMENT_DELIVERY_MONTHS", "12"))
        self.RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
        # A moving window really means "at most N in any 10 minutes"; short timeouts let a Redis that is down
        # be noticed at once, after which the limiter counts in memory (in_memory_fallback_enabled).
        self.RATELIMIT_STRATEGY = "moving-window"
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        # Printable letters wait here (private folders) until downloaded; progress photos are kept here.
        self.LETTERS_DIR = _path_setting("LETTERS_DIR", storage_dir() / "letters")
        self.PROGRESS_PHOTO_DIR = _path_setting("PROGRESS_PHOTO_DIR", storage_dir() / "uploads" / "progress")
        # Proposal pictures (public once uploaded), under STORAGE_DIR unless set on its own.
        self.PICTURE_DIR = _path_setting("PICTURE_DIR", storage_dir() / "uploads" / "pictures")
        # The phone number residents call for help with voting; on the round page and the letters.
        self.HELPDESK_PHONE = os.environ.get("HELPDESK_PHONE", "")
        # Map tiles ({z}/{x}/{y}); empty: maps draw buurt outlines and pins only (tests, no network).
        self.MAP_TILE_URL = os.environ.get("MAP_TILE_URL", PDOK_TILES)
        self.MAP_ATTRIBUTION = os.environ.get(
            "MAP_ATTRIBUTION", "Kaartgegevens © Kadaster (BRT-Achtergrondkaart)"
        )
        self.BABEL_DEFAULT_LOCALE = "nl"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
        self.LANGUAGES = ("nl", "en")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
        # A form's CSRF token works this long (seconds); long enough to read a ballot or write kaders. It is
        # also bound to the session, which is renewed at login and cleared at logout.
        self.WTF_CSRF_TIME_LIMIT = int(os.environ.get("CSRF_TIME_LIMIT", 4 * 3600))
        # Reverse proxies in front of the app (nginx: 1). Only then is X-Forwarded-For believed, for that many
        # hops; without it a visitor could pick their own address and escape the login limits.
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
        # The municipality's name, logo and colours (NL Design System tokens); checked at start-up.
        self.THEME = theme_from_settings(os.environ)
        self._mail_settings()
        self._organisation_settings()

    def _organisation_settings(self) -> None:
        """Who runs this installation: shown on the contact, privacy and accessibility pages."""
        self.ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Gemeente Voorbeeldstad")
        self.CONTACT_ADDRESS = os.environ.get("CONTACT_ADDRESS", "")  # postal address; ";" starts a new line
        self.CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
        self.HELPDESK_PHONE = os.environ.get("HELPDESK_PHONE", "")
        self.PRIVACY_OFFICER_EMAIL = os.environ.get(
            "PRIVACY_OFFICER_EMAIL", ""
        )  # the data protection officer
        # The Dutch model accessibility statement: compliance status A (full) .. E (not known), and when the
        # statement was made and what the site was last evaluated against.
        self.ACCESSIBILITY_STATUS = os.environ.get("ACCESSIBILITY_STATUS", "B").strip().upper()
        self.ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "2026-12-08")
        self.ACCESSIBILITY_EVALUATION = os.environ.get(
            "ACCESSIBILITY_EVALUATION", "automated axe-core checks of every page in the test suite"
        )

    def _page_cache_settings(self) -> None:
        """Public pages for anonymous visitors (app/web/page_cache.py): Redis when there is one, else in-process."""
        self.PAGE_CACHE_ENABLED = os.environ.get("PAGE_CACHE_ENABLED", "1") != "0"
        self.PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))  # home and round pages
        self.PAGE_CACHE_RESULTS_SECONDS = int(os.environ.get("PAGE_CACHE_RESULTS_SECONDS", "3600"))
        self.CACHE_KEY_PREFIX = "wijkbudget:"
        if self.REDIS_URL:
            self.CACHE_TYPE = "RedisCache"
            self.CACHE_REDIS_URL = self.REDIS_URL
            # A Redis that is down costs a page one short timeout, then it is rendered as without a cache.
            self.CACHE_OPTIONS = {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
        else:
            self.CACHE_TYPE = "SimpleCache"
            self.CACHE_THRESHOLD = 2000

    def _mail_settings(self) -> None:
        """Flask-Mailman: SMTP when MAIL_SERVER is set, otherwise every message is a file in STORAGE_DIR/outbox/."""
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _flag("MAIL_USE_SSL")
        default_port = "465" if self.MAIL_USE_SSL else "587" if self.MAIL_USE_TLS else "25"
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT") or default_port)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = os.environ.get(
            "MAIL_DEFAULT_SENDER", "wijkbudget <noreply@wijkbudget.local>"
        )
        self.MAIL_TIMEOUT = 20
        self.MAIL_BACKEND = "smtp" if self.MAIL_SERVER else "file"
        self.MAIL_FILE_PATH = _path_setting("MAIL_FILE_PATH", storage_dir() / "outbox")
        # Links in e-mails and the letters' QR codes point here (jobs have no request to take the host from).
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")


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
        self.CELERY = dict(self.CELERY, task_always_eager=True, broker_url="memory://")
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.RATELIMIT_ENABLED = False
        self.MAP_TILE_URL = ""  # no network in tests: outlines and pins only
        self.PICTURE_DIR = tempfile.mkdtemp(prefix="wijkbudget-pictures-")  # never the real instance folder
        # In-process, emptied before every test (tests/conftest.py); tests/web/test_page_cache.py also uses Redis.
        self.CACHE_TYPE = "SimpleCache"
        self.CACHE_OPTIONS: dict[str, float] = {}
        self.WTF_CSRF_ENABLED = False
        # Messages collect in memory (app.extensions["mailman"].outbox); tests that need files or SMTP switch.
        self.MAIL_BACKEND = "locmem"
        self.PUBLIC_BASE_URL = "http://wijkbudget.test"
