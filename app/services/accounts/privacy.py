"""What the platform holds on a resident (AVG/GDPR access, as JSON) and removing the account (erasure).

Removing keeps the account row without any personal data: proposals, reactions and audit entries keep an
actor ("removed resident") and the append-only audit chain stays whole, while the e-mail address, name, home
address, date of birth, password and two-step secret are gone, with the resident's subscriptions, notifications and
sent e-mails. Ballots stay: they carry no link to the account. Register matches stay too: they tie the
account to an entry of the municipality's register (not to anything the resident typed), a pending one can
still decide whether a ballot counts, and the register with its matches is deleted after its retention.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from app.extensions import db
from app.models import (
    AuditEvent,
    DeliveryFeedback,
    EmailStatus,
    Notification,
    OutgoingEmail,
    Project,
    RegisterMatch,
    ResultSubscription,
    Role,
    Round,
    User,
)
from app.models.base import utcnow
from app.services.accounts import two_step
from app.services.accounts.staff import NO_PASSWORD
from app.services.audit import record_event
from app.services.errors import NotAllowed, RuleViolation
from app.translated import lazy_gettext as _l

REMOVED_DOMAIN = "removed.invalid"


def personal_data(user: User) -> dict[str, Any]:
    """Everything stored about the account, in plain JSON types."""
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "language": user.language,
            "wijk_id": user.wijk_id,
            "postcode": user.postcode,
            "house_number": user.house_number,
            "house_number_addition": user.house_number_addition,
            "birth_date": user.birth_date.isoformat() if user.birth_date else None,
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "created_at": _iso(user.created_at),
            "two_step_login": bool(user.totp_secret),
        },
        "proposals": [_proposal(p) for p in _all(select(Project).where(Project.author_id == user.id))],
        "reactions_on_delivered_projects": [
            {
                "commitment_id": f.commitment_id,
                "kind": f.kind,
                "text": f.text,
                "created_at": _iso(f.created_at),
            }
            for f in _all(select(DeliveryFeedback).where(DeliveryFeedback.resident_id == user.id))
        ],
        "register_matches": [
            {"round_id": m.round_id, "status": m.status, "created_at": _iso(m.created_at)}
            for m in _all(select(RegisterMatch).where(RegisterMatch.user_id == user.id))
        ],
        "result_subscriptions": [
            {"round_id": s.round_id, "created_at": _iso(s.created_at)}
            for s in _all(select(ResultSubscription).where(ResultSubscription.user_id == user.id))
        ],
        "notifications": [
            {"kind": n.kind, "created_at": _iso(n.created_at), "read_at": _iso(n.read_at)}
            for n in _all(select(Notification).where(Notification.user_id == user.id))
        ],
        "emails": [
            {"subject": e.subject, "status": e.status, "created_at": _iso(e.created_at)}
            for e in _all(select(OutgoingEmail).where(OutgoingEmail.to == user.email))
        ],
        "audit_log": [
            {"action": a.action, "round_id": a.round_id, "created_at": _iso(a.created_at)}
            for a in _all(select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id))
        ],
        "ballots": "Ballots carry no link to an account, so none can be shown here.",
    }


def remove_account(user: User, password: str) -> None:
    """Remove the resident's own account after they typed their password. One transaction; every session
    of the account ends. Staff accounts are deactivated by an admin instead (their history is the round's)."""
    if user.role != Role.RESIDENT.value:
        raise NotAllowed(_l("Staff accounts are not removed here. Ask an admin to deactivate yours."))
    if not user.check_password(password):
        raise RuleViolation(_l("This password is not correct."), field="password")
    now = utcnow()
    db.session.execute(delete(ResultSubscription).where(ResultSubscription.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(
        delete(OutgoingEmail).where(
            OutgoingEmail.to == user.email, OutgoingEmail.status != EmailStatus.QUEUED.value
        )
    )
    user.email = f"removed-{user.id}-{secrets.token_hex(4)}@{REMOVED_DOMAIN}"
    user.name = ""
    user.postcode = None
    user.house_number = None
    user.house_number_addition = ""
    user.birth_date = None
    user.wijk_id = None
    user.email_confirmed_at = None
    user.password_hash = NO_PASSWORD
    two_step.forget(user)
    user.deactivated_at = now
    user.removed_at = now
    user.session_version += 1
    record_event(user, "account.removed", subject=f"user:{user.id}")
    db.session.commit()


def _proposal(project: Project) -> dict[str, Any]:
    round_title = db.session.scalar(select(Round.title).where(Round.id == project.round_id))
    return {
        "id": project.id,
        "round": round_title,
        "title": project.title,
        "description": project.description,
        "cost_cents": project.cost_cents,
        "category": project.category,
        "status": project.status,
        "created_at": _iso(project.created_at),
    }


def _all(query: Any) -> list[Any]:
    return list(db.session.scalars(query))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
