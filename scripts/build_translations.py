"""The message catalogues: one per language, extracted with Babel over the Python code, templates and e-mails.

Source strings are English; Dutch is the default language, so every string needs a Dutch translation. English
needs none (its catalogue keeps every string as written). What is extracted is set in `babel.cfg`.

    python scripts/build_translations.py            # compile the catalogues (.mo) for Flask-Babel
    python scripts/build_translations.py --update   # extract every string and update each language's .po
    python scripts/build_translations.py --missing  # list strings without a Dutch translation (exit 1 if any)
    python scripts/build_translations.py --resolve  # after a merge conflict in a .po: keep both sides' entries

`--update` is `pybabel extract` then `pybabel update`, without source locations and sorted, so two changes that
add strings touch different lines of the catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LANGUAGES = ("nl", "en")
KEYWORDS = ("_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "lazy_ngettext:1,2")


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def extract_messages() -> Catalog:
    """Every translatable string in the code, templates and e-mails, as `babel.cfg` says."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords: dict[str, tuple[int, ...] | None] = {}
    for spec in KEYWORDS:
        name, _, positions = spec.partition(":")
        keywords[name] = tuple(int(p) for p in positions.split(",")) if positions else None
    catalog = Catalog(project="wijkbudget")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        if message:
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as fh:
        return read_po(fh, locale=language)


def missing(extracted: Catalog, translated: Catalog) -> list[str]:
    """The extracted strings (msgids) that `translated` gives no complete translation for."""
    gaps = []
    for msg in extracted:
        if not msg.id:
            continue
        found = translated.get(msg.id, context=msg.context)
        strings = found.string if found is not None else ""
        strings = strings if isinstance(strings, tuple | list) else [strings]
        if found is None or found.fuzzy or not all(strings):
            gaps.append(msg.id[0] if isinstance(msg.id, tuple | list) else msg.id)
    return gaps


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def update() -> None:
    keyword_args = [f"-k{k}" for k in KEYWORDS]
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *keyword_args,
        "--no-location",
        "--sort-output",
        "--no-wrap",
        "--project=wijkbudget",
        "-o",
        str(TEMPLATE),
        str(ROOT),
    )
    for language in LANGUAGES:
        command = "update" if catalogue_path(language).exists() else "init"
        extra = ["--no-fuzzy-matching", "--ignore-obsolete", "--no-wrap"] if command == "update" else []
        _pybabel(command, "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "-l", language, *extra)
        _drop_dates(catalogue_path(language))


def _drop_dates(path: Path) -> None:
    """Header dates change on every update and would make every two changes to the catalogue collide."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(('"POT-Creation-Date:', '"PO-Revision-Date:'))]
    path.write_text("".join(kept), encoding="utf-8")


def compile_catalogues() -> None:
    for language in LANGUAGES:
        _pybabel("compile", "-d", str(TRANSLATIONS), "-l", language)


def resolve_conflicts(path: Path) -> int:
    """Rewrite a .po that git left with conflict markers as the union of both sides; returns the conflicts.

    Entries only one side has are kept; for a msgid both sides translate differently, the first side (ours)
    wins. `--update` afterwards drops what the code no longer uses.
    """
    text = path.read_text(encoding="utf-8")
    ours, theirs, side = [], [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            side = "ours"
        elif line.startswith("=======") and side == "ours":
            side = "theirs"
        elif line.startswith(">>>>>>>") and side == "theirs":
            side = None
        elif side == "ours":
            ours.append(line)
        elif side == "theirs":
            theirs.append(line)
        else:
            ours.append(line)
            theirs.append(line)
    if ours == theirs:
        return 0
    language = path.parent.parent.name
    import io

    merged = read_po(io.BytesIO("".join(ours).encode()), locale=language)
    other = read_po(io.BytesIO("".join(theirs).encode()), locale=language)
    for msg in other:
        mine = merged.get(msg.id, context=msg.context)
        if mine is None or not (mine.string if isinstance(mine.string, str) else all(mine.string)):
            merged[msg.id] = msg
    from babel.messages.pofile import write_po

    with path.open("wb") as fh:
        write_po(fh, merged, sort_output=True, no_location=True, width=0)
    return 1


def main(argv: list[str]) -> int:
    if "--resolve" in argv:
        for language in LANGUAGES:
            resolve_conflicts(catalogue_path(language))
        update()
    if "--missing" in argv:
        gaps = missing(extract_messages(), read_catalogue("nl"))
        for gap in gaps:
            print(gap)
        return 1 if gaps else 0
    if "--update" in argv:
        update()
    compile_catalogues()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
