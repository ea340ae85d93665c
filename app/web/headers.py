"""Browser security headers through flask-talisman: a strict Content-Security-Policy (no inline script or
style, no framing), Referrer-Policy, X-Content-Type-Options, and HSTS once the site runs behind HTTPS."""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

# Everything the pages use is served by the app itself; the design system's CSS carries a few data: images.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


class _Talisman(Talisman):  # type: ignore[misc]
    """Talisman, except that a view may send a stricter Referrer-Policy of its own (the letter-code page
    carries the code in its URL and sends `no-referrer`)."""

    def _set_referrer_policy_headers(self, headers):  # type: ignore[no-untyped-def]
        headers.setdefault("Referrer-Policy", self.referrer_policy)


talisman = _Talisman()


def init_security_headers(app: Flask) -> None:
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        # HTTPS is the proxy's business; the app only says so once the deployment says it runs behind HTTPS.
        force_https=False,
        strict_transport_security=secure,
        strict_transport_security_max_age=31_536_000,
        strict_transport_security_include_subdomains=False,
        # Flask owns the session cookie's flags (SESSION_COOKIE_SECURE, HttpOnly, SameSite) already.
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        x_content_type_options=True,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
