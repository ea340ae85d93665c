"""Dutch is the default language: every user-facing string must have a Dutch translation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent


def _build_translations_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "build_translations", ROOT / "scripts" / "build_translations.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_string_has_a_dutch_translation() -> None:
    bt = _build_translations_module()
    extracted = bt.extract_messages()
    assert len(extracted) > 50
    assert bt.missing(extracted, bt.read_catalogue("nl")) == []


def test_emails_are_extracted_and_translated() -> None:
    """The e-mail texts (templates/email/*.txt) are part of the catalogue, not only the pages."""
    bt = _build_translations_module()
    extracted = bt.extract_messages()
    from_emails = {
        msg.id
        for msg in extracted
        if msg.id and any(str(path).endswith(".txt") for path, _line in msg.locations)
    }
    assert from_emails, "no string was extracted from the e-mail templates"
    assert bt.missing(extracted, bt.read_catalogue("nl")) == []


def test_placeholders_survive_translation() -> None:
    """A translation that drops or renames a %(name)s placeholder would crash or mislead at render time."""
    import re

    bt = _build_translations_module()
    pattern = re.compile(r"%\((\w+)\)[sd]")
    broken = [
        msg.id
        for msg in bt.read_catalogue("nl")
        if isinstance(msg.id, str)
        and msg.string
        and set(pattern.findall(msg.id)) != set(pattern.findall(msg.string))
    ]
    assert broken == []


def test_pages_default_to_dutch_and_switch_to_english(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'lang="nl"' in page and "Direct naar de inhoud" in page
    client.post("/taal", data={"lang": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Skip to content" in page
