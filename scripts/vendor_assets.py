"""Vendor the NL Design System CSS and the Noto Sans font into app/static/vendor, so `make run` needs no npm.

Run it only to change a pinned version: `python scripts/vendor_assets.py`. It downloads each pinned npm tarball
from the registry, checks it against the pinned integrity hash (the registry's own `dist.integrity`), and copies
the built files and their licences. The result is committed; nothing here runs at install or start-up.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
TARGET = Path(__file__).resolve().parent.parent / "app" / "static" / "vendor"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # sha512, as `npm view NAME@VERSION dist.integrity` prints it
    files: dict[str, str]  # path inside the tarball's package/ -> path under TARGET

    @property
    def tarball_url(self) -> str:
        return f"{REGISTRY}/{self.name}/-/{self.name.split('/')[-1]}-{self.version}.tgz"


# Noto Sans is the typeface the Voorbeeld design tokens name; regular and bold, Latin and Latin Extended
# (Dutch and the names residents have) are all the pages use.
FONT_FILES = {
    f"files/noto-sans-{subset}-{weight}-normal.woff2": f"fonts/noto-sans-{subset}-{weight}-normal.woff2"
    for subset in ("latin", "latin-ext")
    for weight in (400, 700)
}

PACKAGES = (
    Package(
        "@utrecht/component-library-css",
        "9.0.4",
        "sha512-gVA7D6GfP9/+fzehkYLSBR+0UPUTA97PZmgvTYQE88lPQhHGMlUk8FjmCpLKRsRC9hAYd32JuF/KzG6fmBfjJA==",
        {
            "dist/index.css": "utrecht/component-library.css",
            "dist/html.css": "utrecht/html.css",
            "LICENSE.md": "utrecht/LICENSE-component-library-css.md",
        },
    ),
    # The NL Design System's neutral example theme ("Gemeente Voorbeeld"), EUPL-1.2. Utrecht's own tokens are
    # not used: their licence reserves Utrecht's brand.
    Package(
        "@nl-design-system-unstable/voorbeeld-design-tokens",
        "7.4.1",
        "sha512-GNnapAn2mTIzXRcCvs0JMr4Bf9+ivUJ3zFBJLRT1SYpAYm2xPwptVxIM3k4WLJ0c59E9FfxsEBPJluGuAHUVvg==",
        {
            "dist/theme.css": "voorbeeld/design-tokens.css",
            "LICENSE.md": "voorbeeld/LICENSE-voorbeeld-design-tokens.md",
        },
    ),
    Package(
        "@fontsource/noto-sans",
        "5.3.0",
        "sha512-fBCog2PY7DiVVTEEqtI/Qdinx/knobHYfoGpjFXdfBX5RoJaBp1Prw2G75p0OIsdlMZg3cLo0c+YbIUYOxnQJw==",
        {**FONT_FILES, "LICENSE": "fonts/LICENSE-noto-sans-OFL.txt"},
    ),
)

# Latin Extended only where Latin has no glyph, as fontsource's own CSS does.
UNICODE_RANGES = {
    "latin": "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, "
    "U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD",
    "latin-ext": "U+0100-02BA, U+02BD-02C5, U+02C7-02CC, U+02CE-02D7, U+02DD-02FF, U+0304, U+0308, U+0329, "
    "U+1D00-1DBF, U+1E00-1E9F, U+1EF2-1EFF, U+2020, U+20A0-20AB, U+20AD-20C0, U+2113, U+2C60-2C7F, U+A720-A7FF",
}


def fetch(package: Package) -> bytes:
    with urllib.request.urlopen(package.tarball_url, timeout=60) as response:  # noqa: S310 - fixed https URL
        data: bytes = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != package.integrity:
        raise SystemExit(f"{package.name}@{package.version}: integrity {digest} is not the pinned one")
    return data


def unpack(package: Package, data: bytes) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for source, target in package.files.items():
            member = tar.extractfile(f"package/{source}")
            if member is None:
                raise SystemExit(f"{package.name}: {source} is missing from the tarball")
            path = TARGET / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(member.read())


def font_stylesheet() -> str:
    rules = []
    for subset, unicode_range in UNICODE_RANGES.items():
        for weight in (400, 700):
            rules.append(
                "@font-face {\n"
                '  font-family: "Noto Sans";\n'
                "  font-style: normal;\n"
                "  font-display: swap;\n"
                f"  font-weight: {weight};\n"
                f'  src: url("noto-sans-{subset}-{weight}-normal.woff2") format("woff2");\n'
                f"  unicode-range: {unicode_range};\n"
                "}\n"
            )
    return "/* Noto Sans (SIL Open Font License 1.1, see LICENSE-noto-sans-OFL.txt), vendored by\n" + (
        "   scripts/vendor_assets.py from @fontsource/noto-sans. */\n" + "\n".join(rules)
    )


def versions_file() -> str:
    lines = ["Vendored by scripts/vendor_assets.py; change the pins there, run it, commit the result.", ""]
    lines += [f"{p.name}@{p.version} {p.integrity}" for p in PACKAGES]
    return "\n".join(lines) + "\n"


def main() -> int:
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for package in PACKAGES:
        print(f"{package.name}@{package.version}")
        unpack(package, fetch(package))
    (TARGET / "fonts" / "noto-sans.css").write_text(font_stylesheet(), encoding="utf-8")
    (TARGET / "VERSIONS.txt").write_text(versions_file(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
