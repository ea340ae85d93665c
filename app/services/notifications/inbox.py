"""Tell a user that something happened: an in-app notification, and for some kinds an e-mail.

The e-mail is written in the user's own language from `templates/email/<kind>.txt` (and `<kind>.html` when
there is one), with a link back to the site (`PUBLIC_BASE_URL`), and sent after the caller's commit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime
from jinja2 import TemplateNotFound

from app.extensions import db
from app.models import Notification, User
from app.services.notifications.mail import queue_email
from app.translated import lazy_gettext as _l

# Kinds that also send an e-mail, with its subject. Every e-mail kind needs a `title` detail.
EMAIL_SUBJECTS = {
    "proposal_reviewed": _l("Your proposal “%(title)s” has been checked"),
    "results_published": _l("The result of “%(title)s” has been published"),
    "commitment_overdue": _l("Overdue: the promise for “%(title)s”"),
}
# Where the e-mail links to. Services build no URLs with url_for (no request here); tests check these paths
# against the routes.
LINK_PATHS = {
    "proposal_reviewed": "/project/{project_id}",
    "results_published": "/uitslag/{round_id}",
    "commitment_overdue": "/organiseren/ronde/{round_id}",
}


def notify(user: User, kind: str, **details: Any) -> Notification:
    """Add a notification for `user` to the current transaction; the calling service commits.

    `details` are stored with the notification (`project_id` in its own column, dates as ISO text). For the
    kinds in EMAIL_SUBJECTS an e-mail is queued too; it goes out only if the transaction commits.
    """
    stored = {k: _jsonable(v) for k, v in details.items() if k != "project_id"}
    notification = Notification(
        user_id=user.id, kind=kind, project_id=details.get("project_id"), details=stored
    )
    db.session.add(notification)
    if kind in EMAIL_SUBJECTS:
        subject, body, html = render_email(user, kind, details)
        queue_email(user.email, subject, body, html=html)
    return notification


def render_email(user: User, kind: str, details: dict[str, Any]) -> tuple[str, str, str | None]:
    """Subject, text and optional HTML of a `kind` e-mail for `user`, in the user's language."""
    language = user.language if user.language in current_app.config["LANGUAGES"] else None
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        shown = {k: _shown(v) for k, v in details.items()}
        context = dict(shown, user=user, link=link_for(kind, details), site=_base_url())
        subject = str(EMAIL_SUBJECTS[kind]) % {"title": shown.get("title", "")}
        body = current_app.jinja_env.get_template(f"email/{kind}.txt").render(context)
        try:
            html: str | None = current_app.jinja_env.get_template(f"email/{kind}.html").render(context)
        except TemplateNotFound:
            html = None
    return subject, body, html


def link_for(kind: str, details: dict[str, Any]) -> str:
    return _base_url() + LINK_PATHS[kind].format(**details)


def _base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _shown(value: Any) -> Any:
    """Dates as the user reads them (in their language, Amsterdam time); everything else unchanged."""
    if isinstance(value, datetime):
        return format_datetime(value, "d MMMM yyyy HH:mm")
    if isinstance(value, date):
        return format_date(value, "d MMMM yyyy")
    return value
