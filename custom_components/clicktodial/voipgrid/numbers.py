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
# countries where a number dialled within the country starts with the trunk prefix 0,
# which the international form drops (050 800 9899 in the Netherlands is +31 50 800 9899).
# Elsewhere (for example DK, ES, LU, NO, PL, PT and US) a national number has no leading 0,
# so clean_number cannot tell it from an extension: such numbers are compared as they are.
CALLING_CODES: Final[dict[str, str]] = {
    "AT": "43",
    "AU": "61",
    "BE": "32",
    "CH": "41",
    "DE": "49",
    "FI": "358",
    "FR": "33",
    "GB": "44",
    "IE": "353",
    "IT": "39",
    "NL": "31",
    "NZ": "64",
    "SE": "46",
    "SM": "378",
    "SR": "597",
    "TR": "90",
    "VA": "39",
    "ZA": "27",
}
# Countries whose numbers keep their leading 0 after the country code (+39 06 ...).
_KEEPS_ZERO: Final = frozenset({"39", "378"})


def calling_code(country: str | None) -> str | None:
    """Return the calling code of an ISO 3166 country, or None when not known here."""
    return CALLING_CODES.get(country.upper()) if country else None


def number_key(number: str, country: str | None) -> str:
    """Return what a cleaned number is compared by: the same for the same number.

    A national number (``0508009899``) gets the calling code of ``country``, an ISO 3166
    code like ``NL``: ``+31508009899``. Other numbers, and every number when the country
    is unknown here, stay as they are.
    """
    return _international_form(number, calling_code(country))


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
        return _international_form(clean_number(value), code)
    except InvalidNumberError:
        return None


def _international_form(number: str, code: str | None) -> str:
    """Return a cleaned national number with the calling code ``code``; others as they are."""
    if code and _NATIONAL.fullmatch(number):
        return f"+{code}{number if code in _KEEPS_ZERO else number[1:]}"
    return number
