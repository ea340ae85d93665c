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
    catalog = bt.build_catalog(bt.extract_messages(), bt.load_translations())
    assert len(catalog) > 50
    assert bt.missing(catalog) == []


def test_placeholders_survive_translation() -> None:
    """A translation that drops or renames a %(name)s placeholder would crash or mislead at render time."""
    import re

    bt = _build_translations_module()
    translations = bt.load_translations()
    pattern = re.compile(r"%\((\w+)\)[sd]")
    broken = [
        msgid
        for msgid, text in translations.items()
        if isinstance(text, str) and set(pattern.findall(msgid)) != set(pattern.findall(text))
    ]
    assert broken == []


def test_pages_default_to_dutch_and_switch_to_english(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'lang="nl"' in page and "Direct naar de inhoud" in page
    client.post("/taal", data={"lang": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Skip to content" in page
