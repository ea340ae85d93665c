"""The pages a Dutch municipal site must have: contact, privacy statement, accessibility statement.

What they say about the organisation (name, address, helpdesk) comes from settings, so each municipality
that runs wijkbudget shows its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template

bp = Blueprint("site", __name__)

ACCESSIBILITY_STATUSES = ("A", "B", "C", "D", "E")


@dataclass(frozen=True)
class Organisation:
    name: str
    address_lines: list[str]
    email: str
    phone: str
    privacy_email: str


def organisation() -> Organisation:
    config = current_app.config
    return Organisation(
        name=config["ORGANISATION_NAME"],
        address_lines=[line.strip() for line in config["CONTACT_ADDRESS"].split(";") if line.strip()],
        email=config["CONTACT_EMAIL"],
        phone=config["HELPDESK_PHONE"],
        privacy_email=config["PRIVACY_OFFICER_EMAIL"] or config["CONTACT_EMAIL"],
    )


@bp.route("/contact")
def contact():  # type: ignore[no-untyped-def]
    return render_template("site/contact.html", org=organisation())


@bp.route("/privacy")
def privacy():  # type: ignore[no-untyped-def]
    return render_template("site/privacy.html", org=organisation())


@bp.route("/toegankelijkheid")
def accessibility():  # type: ignore[no-untyped-def]
    status = current_app.config["ACCESSIBILITY_STATUS"]
    return render_template(
        "site/accessibility.html",
        org=organisation(),
        status=status if status in ACCESSIBILITY_STATUSES else "E",
        statement_date=current_app.config["ACCESSIBILITY_STATEMENT_DATE"],
        evaluation=current_app.config["ACCESSIBILITY_EVALUATION"],
    )
