"""WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py app.wsgi:app`."""

from app import create_app
from app.logs import configure_logging

configure_logging()  # JSON lines on stderr, redacted (gunicorn.conf.py formats gunicorn's own lines alike)
app = create_app()
