"""A municipality's theme: its name, logo and colours as NL Design System tokens, checked and rendered as CSS.

The pages are built from Utrecht component CSS coloured by the "Voorbeeld" design tokens; a theme overrides a
few of those tokens. Colours come from settings, so they are checked here (hex only, enough contrast with the
white text put on them) before any reaches a stylesheet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
SAFE_STATIC_PATH = re.compile(r"^[A-Za-z0-9_./-]+$")
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text


class ThemeError(ValueError):
    """A THEME_* setting that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class Theme:
    name: str = "Gemeente Voorbeeld"
    logo: str = "theme/gemeente-voorbeeld.svg"  # path under app/static
    primary_colour: str = ""  # buttons and the bar under the header; white text on it
    link_colour: str = ""  # links, on white
    accent_colour: str = ""  # the footer's background; the dark page text on it

    def token_overrides(self) -> dict[str, str]:
        """The design tokens this theme sets, beyond the Voorbeeld theme's own."""
        tokens = {
            # One typeface, vendored: the Voorbeeld headings' Noto Serif is not shipped.
            "--basis-heading-font-family": '"Noto Sans", Arial, sans-serif',
            "--basis-text-font-family-default": '"Noto Sans", Arial, sans-serif',
            # The Voorbeeld tokens leave the page's own text (utrecht-document) to the theme.
            "--utrecht-document-font-family": "var(--basis-text-font-family-default)",
            "--utrecht-document-font-size": "var(--basis-text-font-size-md)",
            "--utrecht-document-line-height": "var(--basis-text-line-height-md)",
            "--utrecht-document-color": "var(--basis-color-default-color-document)",
            "--utrecht-document-background-color": "var(--basis-color-default-bg-document)",
        }
        if self.primary_colour:
            for state in ("default", "hover", "active"):
                tokens[f"--basis-color-action-1-inverse-bg-{state}"] = self.primary_colour
            tokens["--wijkbudget-brand-bar-color"] = self.primary_colour
        if self.link_colour:
            for state in ("default", "hover", "active"):
                tokens[f"--basis-color-action-2-color-{state}"] = self.link_colour
        if self.accent_colour:
            tokens["--basis-color-accent-1-bg-default"] = self.accent_colour
        return tokens

    def stylesheet(self) -> str:
        lines = [f"  {name}: {value};" for name, value in self.token_overrides().items()]
        return "/* The municipality's theme, from the THEME_* settings. */\n.voorbeeld-theme {\n" + (
            "\n".join(lines) + "\n}\n"
        )


def theme_from_settings(settings: Mapping[str, str]) -> Theme:
    """Read THEME_NAME, THEME_LOGO and THEME_*_COLOR; raise ThemeError on a value a page cannot use."""
    default = Theme()
    logo = settings.get("THEME_LOGO", "").strip() or default.logo
    if not SAFE_STATIC_PATH.match(logo) or ".." in logo:
        raise ThemeError("THEME_LOGO must be a file path under app/static, such as theme/logo.svg")
    return Theme(
        name=settings.get("THEME_NAME", "").strip() or default.name,
        logo=logo,
        primary_colour=_colour(settings, "THEME_PRIMARY_COLOR", on_white_text=True),
        link_colour=_colour(settings, "THEME_LINK_COLOR", on_white_text=True),
        accent_colour=_colour(settings, "THEME_ACCENT_COLOR", on_white_text=False),
    )


def _colour(settings: Mapping[str, str], name: str, *, on_white_text: bool) -> str:
    value = settings.get(name, "").strip()
    if not value:
        return ""
    if not HEX_COLOUR.match(value):
        raise ThemeError(f"{name} must be a hex colour such as #1f4e79, not {value!r}")
    if on_white_text and contrast_with_white(value) < MIN_CONTRAST:
        raise ThemeError(
            f"{name} {value} is too light: white and it need a contrast of at least {MIN_CONTRAST}:1"
        )
    if not on_white_text and contrast_with_black(value) < MIN_CONTRAST:
        raise ThemeError(
            f"{name} {value} is too dark: dark text and it need a contrast of at least {MIN_CONTRAST}:1"
        )
    return value.lower()


def contrast_with_white(hex_colour: str) -> float:
    """WCAG contrast ratio between the colour and white."""
    return 1.05 / (_luminance(hex_colour) + 0.05)


def contrast_with_black(hex_colour: str) -> float:
    """WCAG contrast ratio between the colour and black."""
    return (_luminance(hex_colour) + 0.05) / 0.05


def _luminance(hex_colour: str) -> float:
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
