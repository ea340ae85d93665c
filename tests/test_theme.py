"""The municipal theme from THEME_* settings: checked colours, rendered as design-token overrides."""

from __future__ import annotations

import pytest

from app.theme import Theme, ThemeError, theme_from_settings


def test_the_default_is_the_neutral_gemeente_voorbeeld_theme() -> None:
    theme = theme_from_settings({})
    assert theme == Theme()
    assert theme.name == "Gemeente Voorbeeld"
    assert "--basis-color-action-1-inverse-bg-default" not in theme.stylesheet()


def test_a_municipality_sets_its_name_logo_and_colours_as_tokens() -> None:
    theme = theme_from_settings(
        {
            "THEME_NAME": "Gemeente Utrecht",
            "THEME_LOGO": "theme/utrecht.svg",
            "THEME_PRIMARY_COLOR": "#1F4E79",
            "THEME_LINK_COLOR": "#0b5394",
            "THEME_ACCENT_COLOR": "#f3e8ff",
        }
    )
    css = theme.stylesheet()
    assert theme.name == "Gemeente Utrecht" and theme.logo == "theme/utrecht.svg"
    assert "--basis-color-action-1-inverse-bg-default: #1f4e79;" in css
    assert "--basis-color-action-2-color-default: #0b5394;" in css
    assert "--basis-color-accent-1-bg-default: #f3e8ff;" in css


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("THEME_PRIMARY_COLOR", "red; } body { display:none", "hex colour"),
        ("THEME_PRIMARY_COLOR", "#ffff00", "too light"),
        ("THEME_LINK_COLOR", "#aaa", "too light"),
        ("THEME_ACCENT_COLOR", "#3d2d78", "too dark"),
        ("THEME_LOGO", "../secret_key", "under app/static"),
        ("THEME_LOGO", "https://example.org/logo.svg", "under app/static"),
    ],
)
def test_a_setting_a_page_cannot_use_is_refused_at_start_up(setting: str, value: str, says: str) -> None:
    with pytest.raises(ThemeError, match=says) as refused:
        theme_from_settings({setting: value})
    assert setting in str(refused.value)
