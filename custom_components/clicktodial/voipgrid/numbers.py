"""Phone numbers as the platform accepts them."""

from __future__ import annotations

import re
from typing import Final

from .errors import InvalidNumberError

DEFAULT_NUMBER: Final = "default_number"

_NUMBER_SEPARATORS: Final = re.compile(r"[\s.\-]")
_TRUNK_PREFIX: Final = re.compile(r"^\+([0-9]{1,3})\(0\)")
_PARENTHESES: Final = re.compile(r"[()]")
_E164: Final = re.compile(r"\+[0-9]{2,15}")
_NATIONAL: Final = re.compile(r"0[0-9]{2,14}")
_EXTENSION: Final = re.compile(r"[1-9][0-9]{0,9}")


def clean_number(value: object, *, allow_default_number: bool = False) -> str:
    """Clean up a number the way the platform's own clients do, or raise InvalidNumberError.

    Spaces, dots, dashes and parentheses go; ``00`` is ``+``; ``+31(0)50`` is ``+3150``;
    a ``tel:`` prefix is dropped. Cleaning a cleaned number changes nothing.
    The result is ``+`` and 2-15 digits, ``0`` and 2-14 more digits, or an extension of 1-10
    digits not starting with ``0``.
    """
    if not isinstance(value, str):
        raise InvalidNumberError("not a string")
    text = value.strip()
    if allow_default_number and text == DEFAULT_NUMBER:
        return DEFAULT_NUMBER
    if text[:4].lower() == "tel:":  # RFC 3966, also what a template can render
        text = text[4:]
    text = _NUMBER_SEPARATORS.sub("", text)
    text = _international(text)
    text = _TRUNK_PREFIX.sub(r"+\1", text)
    text = _international(_PARENTHESES.sub("", text))
    for pattern in (_E164, _NATIONAL, _EXTENSION):
        if pattern.fullmatch(text):
            return text
    raise InvalidNumberError("not a phone number or extension")


def _international(text: str) -> str:
    """Return ``00`` before a country code written as ``+``."""
    return "+" + text[2:] if text.startswith("00") else text


# -- Comparing two spellings of one number -------------------------------------------------

# Country calling codes by ISO 3166 country, for Home Assistant's configured country: the
# countries where the platform's providers work, their neighbours and a few more. A national
# number (``0`` and more digits) is the same as ``+`` code and the digits after the ``0``.
CALLING_CODES: Final[dict[str, str]] = {
    "AT": "43",
    "AU": "61",
    "BE": "32",
    "CH": "41",
    "CZ": "420",
    "DE": "49",
    "DK": "45",
    "ES": "34",
    "FI": "358",
    "FR": "33",
    "GB": "44",
    "GR": "30",
    "IE": "353",
    "IT": "39",
    "LU": "352",
    "NL": "31",
    "NO": "47",
    "NZ": "64",
    "PL": "48",
    "PT": "351",
    "SE": "46",
    "SR": "597",
    "TR": "90",
    "ZA": "27",
}
# Countries whose numbers keep their leading 0 after the country code (+39 06 ...).
_KEEPS_ZERO: Final = frozenset({"39"})


def calling_code(country: str | None) -> str | None:
    """Return the calling code of an ISO 3166 country, or None when not known here."""
    return CALLING_CODES.get(country.upper()) if country else None


def same_number(a: object, b: object, code: str | None = None) -> bool:
    """Return whether two numbers are one, written either way.

    ``0612345678`` is ``+31612345678`` when ``code`` (the country calling code of Home
    Assistant's country) is ``31``; spaces, ``00`` and the like never matter. Something
    that is not a number is never the same as anything.
    """
    left = _comparable(a, code)
    return left is not None and left == _comparable(b, code)


def _comparable(value: object, code: str | None) -> str | None:
    """Return a number cleaned, in international form when it is national; None if bad."""
    try:
        number = clean_number(value)
    except InvalidNumberError:
        return None
    if code and _NATIONAL.fullmatch(number):
        return f"+{code}{number if code in _KEEPS_ZERO else number[1:]}"
    return number
