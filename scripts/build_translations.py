"""Build the Dutch message catalogue and compile it for Flask-Babel.

Source strings are English; Dutch is the default language, so every string needs a Dutch translation.
Translations live in `app/translations/nl/LC_MESSAGES/messages.po` plus per-area fragments in
`app/translations/nl_fragments/*.po` (so parallel work does not collide in one file).

    python scripts/build_translations.py            # merge + compile the .mo files
    python scripts/build_translations.py --update   # also rewrite messages.po with every string, sorted
    python scripts/build_translations.py --missing  # list strings without a Dutch translation (exit 1 if any)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
NL_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
FRAGMENTS = TRANSLATIONS / "nl_fragments"
METHOD_MAP = [
    ("app/**.py", "python"),
    ("tasks/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),  # e-mail texts
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
}


def extract_messages() -> list[str | tuple[str, str]]:
    """Every translatable string in the code and templates (plural forms as tuples)."""
    found: dict[str | tuple[str, str], None] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS, options_map={"templates/**.html": {"trimmed": "true"}}
    ):
        if isinstance(message, tuple):
            message = (message[0], message[1])
        if message:
            found[message] = None
    return list(found)


def load_translations() -> dict[str, str | tuple[str, ...]]:
    """The Dutch translations from messages.po and all fragments (fragments fill gaps, never override)."""
    translations: dict[str, str | tuple[str, ...]] = {}
    sources = [NL_PO] if NL_PO.exists() else []
    sources += sorted(FRAGMENTS.glob("*.po")) if FRAGMENTS.exists() else []
    for path in sources:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="nl")
        for msg in catalog:
            if not msg.id:
                continue
            key = msg.id[0] if isinstance(msg.id, tuple | list) else msg.id
            value = tuple(msg.string) if isinstance(msg.string, tuple | list) else msg.string
            if value and any(value) and key not in translations:
                translations[key] = value
    return translations


def build_catalog(messages: list[str | tuple[str, str]], translations: dict) -> Catalog:
    catalog = Catalog(locale="nl", project="wijkbudget", charset="utf-8", fuzzy=False)
    for message in messages:
        key = message[0] if isinstance(message, tuple) else message
        catalog.add(message, translations.get(key, "" if isinstance(message, str) else ("", "")))
    return catalog


def missing(catalog: Catalog) -> list[str]:
    out = []
    for msg in catalog:
        if not msg.id:
            continue
        strings = msg.string if isinstance(msg.string, tuple | list) else [msg.string]
        if not all(strings):
            out.append(msg.id[0] if isinstance(msg.id, tuple | list) else msg.id)
    return out


def main(argv: list[str]) -> int:
    catalog = build_catalog(extract_messages(), load_translations())
    if "--missing" in argv:
        gaps = missing(catalog)
        for gap in gaps:
            print(gap)
        return 1 if gaps else 0
    NL_PO.parent.mkdir(parents=True, exist_ok=True)
    if "--update" in argv:
        with NL_PO.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, omit_header=False, width=110)
    with (NL_PO.parent / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
