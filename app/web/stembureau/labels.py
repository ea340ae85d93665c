"""Words for polling-location kinds and ballot channels, shared by the poll-worker and organiser pages."""

from __future__ import annotations

from typing import Any

from app.translated import lazy_gettext as _l

LOCATION_KINDS = {
    "school": _l("School"),
    "community_centre": _l("Community centre (buurthuis)"),
    "door_to_door": _l("Door to door"),
    "other": _l("Other place"),
}

CHANNEL_NAMES = {
    "online_account": _l("Online, with an account"),
    "online_code": _l("Online, with a letter code"),
    "paper": _l("On paper"),
    "assisted": _l("Assisted (on behalf of the resident)"),
}


def location_kind(kind: str) -> Any:
    return LOCATION_KINDS.get(kind, kind)


def channel_name(channel: str) -> Any:
    return CHANNEL_NAMES.get(channel, channel)


def paper_labels() -> dict[str, Any]:
    """Template helpers for pages about paper ballots and turnout."""
    return {"location_kind": location_kind, "channel_name": channel_name}
