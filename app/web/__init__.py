"""Blueprints, error pages and login wiring."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DisconnectionError, OperationalError

from app.extensions import db, login_manager
from app.models.freeze import FrozenRoundError
from app.services.results.outcomes import project_outcome
from app.web.headers import init_security_headers
from app.web.malformed_input import UnstorableInput, init_malformed_input
from app.web.page_cache import init_page_cache
from app.web.request_size import size_in_mb


def register_web(app: Flask) -> None:
    from app.models import User
    from app.web.assets.views import bp as assets_bp
    from app.web.auth.views import bp as auth_bp
    from app.web.code_vote.views import bp as code_vote_bp
    from app.web.codes.views import bp as codes_bp
    from app.web.commitments.views import bp as commitments_bp
    from app.web.health.views import bp as health_bp
    from app.web.organise.views import bp as organise_bp
    from app.web.public.views import bp as public_bp
    from app.web.records.views import bp as records_bp
    from app.web.residents.views import bp as residents_bp
    from app.web.review.views import bp as review_bp
    from app.web.security import holds_wijk_of_round
    from app.web.site.views import bp as site_bp
    from app.web.staff.views import bp as staff_bp
    from app.web.stembureau.views import bp as stembureau_bp

    init_malformed_input(app)  # the id converter must be in place before the blueprints add their routes
    blueprints = (
        assets_bp,
        auth_bp,
        residents_bp,
        review_bp,
        organise_bp,
        public_bp,
        records_bp,
        commitments_bp,
        stembureau_bp,
        code_vote_bp,
        codes_bp,
        health_bp,
        site_bp,
        staff_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)

    from app.web.plain_text import plain_text_with_links

    app.jinja_env.filters["plain_text"] = plain_text_with_links
    app.jinja_env.globals["holds_wijk_of_round"] = holds_wijk_of_round
    login_manager.login_view = "auth.login"
    login_manager.login_message = ""

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # "id:version" (User.get_id): a cookie from before a logout, a new password or deactivation is refused.
        user_id, _, version = session_id.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or user.session_version != int(version):
            return None
        return user

    _register_error_pages(app)
    init_security_headers(app)
    init_page_cache(app)

    @app.context_processor
    def inject_theme() -> dict[str, object]:
        return {"theme": app.config["THEME"]}

    app.jinja_env.globals["project_outcome"] = project_outcome


def _register_error_pages(app: Flask) -> None:
    def page(code: int, title: str, message: str):  # type: ignore[no-untyped-def]
        return render_template("errors.html", code=code, title=title, message=message), code

    @app.errorhandler(400)
    def bad_request(e):  # type: ignore[no-untyped-def]
        return page(400, _("Something is wrong with this request"), _("Please go back and try again."))

    @app.errorhandler(UnstorableInput)
    def unstorable_input(e):  # type: ignore[no-untyped-def]
        return page(
            400,
            _("This form holds characters we cannot store"),
            _(
                "Something you sent holds an invisible control character (a NUL byte). Nothing was saved. "
                "Go back, type the text again instead of pasting it, and try once more."
            ),
        )

    @app.errorhandler(CSRFError)
    def csrf_error(e):  # type: ignore[no-untyped-def]
        return page(
            400,
            _("This form has expired"),
            _("For your safety the form expired. Go back, reload the page and try again."),
        )

    @app.errorhandler(403)
    def forbidden(e):  # type: ignore[no-untyped-def]
        return page(403, _("No access"), _("You do not have permission to view this page."))

    @app.errorhandler(404)
    def not_found(e):  # type: ignore[no-untyped-def]
        return page(404, _("Page not found"), _("This page does not exist (any more)."))

    @app.errorhandler(405)
    def method_not_allowed(e):  # type: ignore[no-untyped-def]
        response = page(
            405,
            _("This page cannot be used this way"),
            _("This address opens a page or sends a form, not both. Go back to the page and use its button."),
        )
        return response[0], 405, {"Allow": ", ".join(sorted(e.valid_methods or ()))}

    @app.errorhandler(413)
    def too_large(e):  # type: ignore[no-untyped-def]
        limit = request.max_content_length or app.config["MAX_CONTENT_LENGTH"]
        return page(
            413,
            _("What you sent is too large"),
            _(
                "We accept at most %(size)s at once. Nothing was saved. Go back and send a smaller file or less text.",
                size=escape(size_in_mb(limit)),
            ),
        )

    @app.errorhandler(429)
    def too_many(e):  # type: ignore[no-untyped-def]
        return page(429, _("Too many attempts"), _("Please wait a few minutes and try again."))

    @app.errorhandler(FrozenRoundError)
    def frozen_round(e):  # type: ignore[no-untyped-def]
        # The services refuse first; this is the safety net for a path that forgot to.
        db.session.rollback()
        return page(
            409,
            _("The rules of this round are fixed"),
            _("Voting has opened, so the rules of this round are fixed and can no longer change."),
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(DisconnectionError)
    def database_unavailable(e):  # type: ignore[no-untyped-def]
        # The database does not answer (or dropped the connection): nothing of this request was committed.
        # The page must not need the database itself, so the visitor is shown as anonymous.
        db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        app.logger.warning("database unavailable: %s", type(getattr(e, "orig", e)).__name__)
        response = page(
            503,
            _("The website is briefly unavailable"),
            _(
                "We cannot reach our database right now. Nothing you sent was saved. Please try again in a few minutes."
            ),
        )
        return response[0], 503, {"Retry-After": "60"}

    @app.errorhandler(500)
    def server_error(e):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return page(500, _("Something went wrong"), _("Our apologies. Please try again later."))
