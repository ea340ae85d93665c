"""Two-step login: a time-based code (TOTP, RFC 6238, with pyotp) after the password, and one-time recovery
codes for a lost phone. Required for admins and organisers, optional for professionals and poll workers.

A code works once: the time step it belongs to is stored and only later steps are accepted (a code seen over
someone's shoulder cannot be used again). Recovery codes (64 random bits each) are stored only as hashes and each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp

from app.extensions import db
from app.models import Role, User
from app.services.audit import record_event
from app.services.errors import NotAllowed, RuleViolation
from app.translated import lazy_gettext as _l

ISSUER = "wijkbudget"
RECOVERY_CODES = 10
REQUIRED_FOR = (Role.ADMIN.value, Role.ORGANISER.value)
OPTIONAL_FOR = (Role.PROFESSIONAL.value, Role.POLL_WORKER.value)


def required_for(user: User) -> bool:
    return user.role in REQUIRED_FOR


def offered_to(user: User) -> bool:
    return user.role in REQUIRED_FOR or user.role in OPTIONAL_FOR


def is_enrolled(user: User) -> bool:
    return bool(user.totp_secret)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Switch two-step login on with `secret` once `code` proves the app has it; returns the recovery codes
    (shown once, stored only as hashes). RuleViolation (field "code") when the code does not match."""
    step = _matching_step(secret, code, after=None)
    if step is None:
        raise RuleViolation(
            _l("This code is not right. Check the time on your phone and type the code that is shown now."),
            field="code",
        )
    user.totp_secret = secret
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record_event(user, "account.two_step_on", subject=f"user:{user.id}")
    db.session.commit()
    return codes


def check_second_step(user: User, code: str) -> bool:
    """True when `code` is the app's current code (not used before) or an unused recovery code, which is then
    used up. One transaction."""
    secret = user.totp_secret
    if not secret:
        return False
    step = _matching_step(secret, code, after=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        db.session.commit()
        return True
    if _use_recovery_code(user, code):
        record_event(user, "account.recovery_code_used", subject=f"user:{user.id}")
        db.session.commit()
        return True
    return False


def turn_off(user: User) -> None:
    """Only where it is optional; admins and organisers keep it."""
    if required_for(user):
        raise RuleViolation(_l("Two-step login is required for your role."))
    forget(user)
    record_event(user, "account.two_step_off", subject=f"user:{user.id}")
    db.session.commit()


def reset_for_lost_phone(actor: User | None, user: User) -> None:
    """An admin's (or the operator's, actor None) way out for someone without phone or recovery codes: the
    next login sets it up anew (the account's sessions end, so that happens at once)."""
    if actor is not None and actor.role != Role.ADMIN.value:
        raise NotAllowed(_l("Only an admin may manage accounts."))
    forget(user)
    user.session_version += 1
    record_event(actor, "account.two_step_reset", subject=f"user:{user.id}")
    db.session.commit()


def forget(user: User) -> None:
    """Drop the secret and the recovery codes (the caller commits)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_code_hashes = None


def recovery_codes_left(user: User) -> int:
    return len(user.recovery_code_hashes or [])


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (now, or one step either side for a slow clock) whose code is `code`, if later than
    `after`."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _new_recovery_codes(user: User) -> list[str]:
    codes = ["-".join(secrets.token_hex(2) for _ in range(4)) for _ in range(RECOVERY_CODES)]
    user.recovery_code_hashes = [_recovery_hash(code) for code in codes]
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    hashes = list(user.recovery_code_hashes or [])
    digest = _recovery_hash(code)
    if digest not in hashes:
        return False
    hashes.remove(digest)
    user.recovery_code_hashes = hashes  # a new list, so SQLAlchemy sees the change
    return True


def _recovery_hash(code: str) -> str:
    # 64 random bits per code: a plain SHA-256 cannot be reversed by trying, and needs no key to rotate.
    compact = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(compact.encode()).hexdigest()
