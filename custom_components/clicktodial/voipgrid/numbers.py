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


# -- comparing numbers -----------------------------------------------------------------
# Country calling codes by ISO 3166-1 country, for the countries where a number dialled
# within the country starts with the trunk prefix 0, which the international form drops:
# 050 800 9899 in the Netherlands is +31 50 800 9899.
_TRUNK_ZERO_CALLING_CODES: Final[dict[str, str]] = {
    "AT": "43",
    "AU": "61",
    "BE": "32",
    "CH": "41",
    "DE": "49",
    "FI": "358",
    "FR": "33",
    "GB": "44",
    "IE": "353",
    "NL": "31",
    "NZ": "64",
    "SE": "46",
    "ZA": "27",
}
# Countries whose numbers keep their leading 0 in the international form:
# 06 1234 5678 in Italy is +39 06 1234 5678.
_KEPT_ZERO_CALLING_CODES: Final[dict[str, str]] = {
    "IT": "39",
    "SM": "378",
    "VA": "39",
}
# Elsewhere (for example DK, ES, LU, NO, PL, PT, US and CA) a number dialled within the
# country has no leading 0, so clean_number cannot tell it from an extension: such
# numbers are only compared as they are.


def number_key(number: str, country: str | None) -> str:
    """Return what a cleaned number is compared by: the same for the same number.

    A national number (``0508009899``) gets the calling code of ``country``, an
    ISO 3166-1 code like ``NL``: ``+31508009899``. Other numbers, and every number when
    the country is unknown or not in the tables above, stay as they are.
    """
    if country is None or not _NATIONAL.fullmatch(number):
        return number
    if code := _TRUNK_ZERO_CALLING_CODES.get(country):
        return f"+{code}{number[1:]}"
    if code := _KEPT_ZERO_CALLING_CODES.get(country):
        return f"+{code}{number}"
    return number
