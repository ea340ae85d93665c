"""Vendor Leaflet from npm into app/static/vendor/leaflet, so `make run` needs no npm.

Run it again only to change the version: `python scripts/vendor_leaflet.py`. It fetches the pinned package
with `npm pack`, checks its SHA-512 against the pinned integrity (the one npm's registry publishes), and copies
the built script, style sheet, marker images and the licence. The result is committed.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "1.9.4"
INTEGRITY = "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
FILES = (
    "package/LICENSE",
    "package/dist/leaflet.js",
    "package/dist/leaflet.css",
    "package/dist/images/layers.png",
    "package/dist/images/layers-2x.png",
    "package/dist/images/marker-icon.png",
    "package/dist/images/marker-icon-2x.png",
    "package/dist/images/marker-shadow.png",
)
TARGET = Path(__file__).resolve().parent.parent / "app" / "static" / "vendor" / "leaflet"


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        npm = shutil.which("npm")
        if npm is None:
            print("npm is needed to fetch Leaflet (only to change the vendored version)", file=sys.stderr)
            return 1
        # A fixed command with the pinned version; the tarball is checked against INTEGRITY below.
        subprocess.run([npm, "pack", f"leaflet@{VERSION}"], cwd=scratch, check=True, capture_output=True)  # noqa: S603
        tarball = Path(scratch) / f"leaflet-{VERSION}.tgz"
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != INTEGRITY:
            print(f"integrity mismatch: {digest}", file=sys.stderr)
            return 1
        shutil.rmtree(TARGET, ignore_errors=True)
        with tarfile.open(tarball) as archive:
            for name in FILES:
                member = archive.extractfile(name)
                assert member is not None, name
                out = TARGET / name.removeprefix("package/").removeprefix("dist/")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(member.read())
        (TARGET / "VERSION").write_text(f"leaflet {VERSION} from npm, {INTEGRITY}\n", encoding="utf-8")
    print(f"Leaflet {VERSION} in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
