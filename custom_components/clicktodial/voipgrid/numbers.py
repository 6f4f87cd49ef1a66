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
