"""The organisation's main colour, checked for contrast (WCAG AA) before Alliés starts."""

import re

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MINIMUM_CONTRAST = 4.5  # WCAG 2.1 AA, normal text


def _channel(value):
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour):
    """The WCAG contrast ratio between the colour (#rrggbb) and white."""
    red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
    luminance = 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)
    return 1.05 / (luminance + 0.05)


def check_theme_colour(colour):
    """Refuse a main colour that is not #rrggbb, or that white text and links on white would not read."""
    if not isinstance(colour, str) or not HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"ALLIES_THEME_COLOUR must be a colour such as #000091, not {colour!r}.")
    ratio = contrast_with_white(colour)
    if ratio < MINIMUM_CONTRAST:
        raise ValueError(f"ALLIES_THEME_COLOUR {colour} has a contrast of {ratio:.2f}:1 with white; links, "
                         f"buttons and headers need at least {MINIMUM_CONTRAST}:1 (WCAG AA).")


def theme_stylesheet(colour):
    """The organisation's main colour over the stylesheet's default."""
    return f":root {{ --blue: {colour}; }}\n"
