"""Property-based tests: whatever is typed into any field, nothing breaks.

Every field of the ``clicktodial.call`` action (``b_number``, ``a_number``, ``b_cli``,
``auto_answer``, ``config_entry_id``), of the config flow (``url``, ``email``,
``api_token``) and of the options flow (``a_number``, ``b_cli``, ``auto_answer``) gets
arbitrary strings and values of every type. Each must end as a call started on the
simulated platform (or a created entry, or saved options), or as a refusal the user can
read: a ``ServiceValidationError`` whose translation exists, a schema error of the
action's or form's schema, or a form error whose translation exists. Never an unhandled
exception, and never a request to the platform for input that was refused.

Generated numbers are tagged: good ones (built the way people write numbers, with the
cleaned number they must be sent as) must start a call, bad ones must not; for untagged
values either outcome is allowed, but the number sent must be a cleaned form of the
digits typed. Each test checks that enough examples of each kind were seen.

The config flow reaches only the simulator: any other address it would try fails as an
unreachable one (no name is resolved, nothing leaves the machine), and each is checked to
be one the API token may go to (https, or http to this machine; no credentials, query or
fragment). Options saved must then be accepted by a call, and sent as saved.

At the end, regression tests for what these tests found: an unquoted number in YAML that
was called as another number, and saved options that a call cleaned again.

Hypothesis runs every example inside one test, on one Home Assistant instance, with time
frozen so that no status poll adds requests. The number of examples per test is
``CLICKTODIAL_FUZZ_EXAMPLES`` (default 150)::

    CLICKTODIAL_FUZZ_EXAMPLES=2000 .venv/bin/pytest -q tests/test_fuzz.py
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
import ipaddress
import json
from numbers import Number
from pathlib import Path
import re
from typing import Any
from unittest.mock import AsyncMock, patch

from hypothesis import example, given, note, settings, strategies as st
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

import custom_components.clicktodial as integration
from custom_components.clicktodial.const import CONF_API_TOKEN, DOMAIN
from custom_components.clicktodial.voipgrid import (
    InvalidNumberError,
    VoipgridClient,
    VoipgridConnectionError,
    clean_number,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_EMAIL, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util.yaml import parse_yaml
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, RecordedRequest, Simulator

from .secrets_guard import SECOND_EMAIL, record_texts

# As many as the profile of tests/conftest.py says ($CLICKTODIAL_FUZZ_EXAMPLES).
EXAMPLES = settings().max_examples

_TRANSLATIONS = json.loads(
    (Path(integration.__file__).parent / "translations" / "en.json").read_text()
)
EXCEPTION_KEYS = set(_TRANSLATIONS["exceptions"])
CONFIG_ERRORS = set(_TRANSLATIONS["config"]["error"])
OPTIONS_ERRORS = set(_TRANSLATIONS["options"]["error"])

NUMBER = "+31508009899"
NUMBER_FIELDS = ("b_number", "a_number", "b_cli")

# What the integration may send as a number: E.164, national, an extension.
SENT_NUMBER = re.compile(r"\+[0-9]{2,15}|0[0-9]{2,14}|[1-9][0-9]{0,9}")

# -- strategies --------------------------------------------------------------------------

DIGITS = "0123456789"
SEPARATORS = (" ", ".", "-", "\t", "\u00a0")
# Characters that make any number invalid wherever they are.
JUNK = "abcxyzABCXYZ#*_/,;:~!?&=\u0661\u00b2\u2460"

# Values of any type, as a script or a template may pass them.
ANY_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.binary(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner)
    ),
    max_leaves=6,
)
NUMBERISH = st.text(alphabet=DIGITS + "+()-. \t\u00a0", max_size=24)


def digits(min_size: int, max_size: int, first: str = DIGITS) -> st.SearchStrategy[str]:
    """Return digit strings of these lengths, the first digit from ``first``."""
    return st.builds(
        str.__add__,
        st.sampled_from(first),
        st.text(DIGITS, min_size=min_size - 1, max_size=max_size - 1),
    )


@st.composite
def written(draw: st.DrawFn, prefix: str, body: str) -> str:
    """Write a number as people do: separators, a pair of parentheses, outer spaces.

    Parentheses only go around two or more digits of the body, never around a lone 0
    after the country code (that is the trunk prefix, which is dropped).
    """
    chars = list(body)
    if len(chars) >= 3 and draw(st.booleans()):
        start = draw(st.integers(0, len(chars) - 2))
        end = draw(st.integers(start + 2, len(chars)))
        chars = [*chars[:start], "(", *chars[start:end], ")", *chars[end:]]
    text = prefix
    for index, char in enumerate(chars):
        if index and draw(st.integers(0, 3)) == 0:
            text += draw(st.sampled_from(SEPARATORS))
        text += char
    pad = st.text(alphabet=" \t\u00a0", max_size=2)
    return draw(pad) + text + draw(pad)


@st.composite
def good_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """Return a number as typed (maybe as a tel: URI) and as it must be sent."""
    raw, expected = draw(_good_numbers())
    tel = draw(st.sampled_from(["", "", "", "tel:", "TEL:", "tel: "]))
    return (tel + raw.lstrip() if tel else raw), expected


@st.composite
def _good_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """Return a number as typed and as it must be sent."""
    kind = draw(st.sampled_from(["e164", "e164_00", "trunk", "national", "extension"]))
    if kind in ("e164", "e164_00"):
        body = draw(digits(2, 15))
        prefix = "+" if kind == "e164" else draw(st.sampled_from(["00", "0 0"]))
        return draw(written(prefix, body)), "+" + body
    if kind == "trunk":
        country = draw(digits(1, 3, first="123456789"))
        rest = draw(digits(1, 15 - len(country)))
        prefix = draw(st.sampled_from(["+", "00"]))
        trunk = draw(st.sampled_from(["(0)", " (0) ", "(0) "]))
        return f"{prefix}{country}{trunk}{draw(written('', rest))}", f"+{country}{rest}"
    if kind == "national":
        body = "0" + draw(digits(2, 14, first="123456789"))
        return draw(written("", body)), body
    body = draw(digits(1, 10, first="123456789"))
    return draw(written("", body)), body


@st.composite
def bad_numbers(draw: st.DrawFn, field_name: str) -> str:
    """Return a text that no number field may accept."""
    kind = draw(
        st.sampled_from(
            ["junk", "too_long", "too_short", "plus", "default_number", "blank"]
        )
    )
    if kind == "junk":
        raw, _ = draw(good_numbers())
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from(JUNK)) + raw[at:]
    if kind == "too_long":
        return draw(
            st.sampled_from(["+", "00", "0", ""]).flatmap(
                lambda prefix: digits(
                    {"+": 16, "00": 16, "0": 15, "": 11}[prefix],
                    20,
                    first="123456789",
                ).map(lambda body: prefix + body)
            )
        )
    if kind == "too_short":
        return draw(st.sampled_from(["+", "+1", "0", "00", "01", "(0)", "+()"]))
    if kind == "plus":
        return draw(st.sampled_from(["++31508009899", "31+508009899", "+31+508"]))
    if kind == "default_number":
        if field_name == "b_cli":
            return draw(
                st.sampled_from(["DEFAULT_NUMBER", "default number", "default"])
            )
        return draw(st.sampled_from(["default_number", " default_number "]))
    return draw(st.text(alphabet=" \t\u00a0", min_size=1, max_size=3))


@dataclass(frozen=True)
class Value:
    """A generated field value and what it must lead to.

    ``expect`` is the cleaned text a good value must be sent as, "bad" for a value that
    must be refused, or None when either outcome is allowed.
    """

    value: Any
    expect: str | None = None

    @property
    def kind(self) -> str:
        """Return good, bad or free."""
        if self.expect is None:
            return "free"
        return "bad" if self.expect == "bad" else "good"


def number_values(field_name: str) -> st.SearchStrategy[Value]:
    """Return values of a number field: good, bad, number-like, any text, any type."""
    good = good_numbers().map(lambda pair: Value(pair[0], pair[1]))
    if field_name == "b_cli":
        good |= st.sampled_from(["default_number", " default_number\t"]).map(
            lambda raw: Value(raw, "default_number")
        )
    return st.one_of(
        good,
        bad_numbers(field_name).map(lambda raw: Value(raw, "bad")),
        NUMBERISH.map(Value),
        st.text(max_size=30).map(Value),
        ANY_VALUE.map(Value),
    )


def reference_boolean(value: Any) -> bool | None:
    """Return the boolean Home Assistant's action schemas read, or None if none."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.lower().strip()
        if text in ("1", "true", "yes", "on", "enable"):
            return True
        if text in ("0", "false", "no", "off", "disable"):
            return False
        return None
    if isinstance(value, Number):
        return value != 0
    return None


BOOLEAN_WORDS = st.sampled_from(
    ["1", "true", "yes", "on", "enable", "0", "false", "no", "off", "disable"]
).flatmap(
    lambda word: st.sampled_from(
        [word, word.upper(), word.title(), f" {word} ", f"{word}\t"]
    )
)

# -- helpers -----------------------------------------------------------------------------


def run[T](hass: HomeAssistant, coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on Home Assistant's loop (the test itself is not a coroutine)."""
    return hass.loop.run_until_complete(coro)


@dataclass
class Outcome:
    """How one action call ended, and what the platform was asked meanwhile."""

    response: Any = None
    error: Exception | None = None
    requests: list[RecordedRequest] = field(default_factory=list)


async def call_action(
    hass: HomeAssistant, simulator: Simulator, data: dict[str, Any]
) -> Outcome:
    """Run the action; a refusal is returned, anything else unexpected is raised."""
    outcome = Outcome()
    before = len(simulator.requests)
    try:
        # Forced: the same number is called back to back, while earlier calls go on.
        outcome.response = await hass.services.async_call(
            DOMAIN, "call", {"force": True, **data}, blocking=True, return_response=True
        )
    except (HomeAssistantError, probatio.Invalid) as err:
        outcome.error = err
    outcome.requests = simulator.requests[before:]
    return outcome


def refusal(outcome: Outcome) -> str:
    """Check a refusal is a schema error or a translated validation error; name it.

    A platform error (HomeAssistantError that is not a validation error) is a failure
    here: every value was checked before anything was sent, and the simulator accepts
    every number the integration may send.
    """
    err = outcome.error
    assert err is not None
    assert outcome.requests == [], "refused, yet the platform was asked"
    if isinstance(err, probatio.Invalid):
        return "schema"
    assert isinstance(err, ServiceValidationError), repr(err)
    assert err.translation_domain == DOMAIN
    assert err.translation_key in EXCEPTION_KEYS
    message = str(err)
    assert message
    assert message != err.translation_key  # the translation was found
    return err.translation_key


def started(outcome: Outcome, email: str = DEFAULT_EMAIL) -> dict[str, Any]:
    """Check the outcome is one call started on the platform; return what was sent."""
    assert outcome.error is None, repr(outcome.error)
    assert outcome.response is not None
    assert [(r.endpoint, r.method, r.email) for r in outcome.requests] == [
        ("start_call", "POST", email)
    ]
    body = outcome.requests[0].body
    assert isinstance(body, dict)
    return body


def digits_of(text: str) -> str:
    """Return the ASCII digits of a text."""
    return re.sub(r"[^0-9]", "", text)


def is_subsequence(short: str, long: str) -> bool:
    """Return whether ``short`` is ``long`` with some characters left out."""
    rest = iter(long)
    return all(char in rest for char in short)


def check_sent_number(field_name: str, typed: str, sent: str) -> None:
    """Check a number the integration sent is a cleaned form of what was typed."""
    if field_name == "b_cli" and sent == "default_number":
        assert typed.strip() == "default_number"
        return
    assert SENT_NUMBER.fullmatch(sent), sent
    typed_digits, sent_digits = digits_of(typed), digits_of(sent)
    # At most a 00 prefix and a trunk 0 are left out; no digit is made up.
    assert is_subsequence(sent_digits, typed_digits), (typed, sent)
    assert len(typed_digits) - len(sent_digits) <= 3, (typed, sent)


def assert_seen(stats: Counter[str], **minimum: int) -> None:
    """Check each kind of example was seen often enough to mean something."""
    for kind, least in minimum.items():
        assert stats[kind] >= least, (kind, stats)


def enough(share: float, most: int = 100) -> int:
    """Return how many of the examples a share is: at least 1, at most ``most``.

    Hypothesis never runs the same example twice, so a strategy with few distinct
    values gives few examples however many are asked for.
    """
    return max(1, min(int(EXAMPLES * share), most))


# -- fixtures ----------------------------------------------------------------------------


@dataclass
class Accounts:
    """The config entries the action can be pointed at."""

    first: MockConfigEntry
    second: MockConfigEntry
    not_loaded: MockConfigEntry
    other_domain: MockConfigEntry

    @property
    def loaded_ids(self) -> dict[str, str]:
        """Return the email of each loaded entry, by entry id."""
        return {
            self.first.entry_id: DEFAULT_EMAIL,
            self.second.entry_id: SECOND_EMAIL,
        }


@pytest.fixture
async def accounts(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    init_second_integration: MockConfigEntry,
) -> Accounts:
    """Two loaded accounts, one that is not loaded, and an entry of another domain."""
    not_loaded = MockConfigEntry(
        domain=DOMAIN,
        title="Third User",
        unique_id="00000000-0000-4000-8000-000000000003",
        data={CONF_URL: simulator.url, CONF_EMAIL: "x@y.z", CONF_API_TOKEN: "t"},
    )
    not_loaded.add_to_hass(hass)
    other_domain = MockConfigEntry(domain="other", title="Other")
    other_domain.add_to_hass(hass)
    await hass.async_block_till_done()
    return Accounts(init_integration, init_second_integration, not_loaded, other_domain)


# -- the action --------------------------------------------------------------------------


@pytest.mark.parametrize("field_name", NUMBER_FIELDS)
@pytest.mark.usefixtures("freezer")
def test_action_number_field(
    hass: HomeAssistant, simulator: Simulator, accounts: Accounts, field_name: str
) -> None:
    """Any value of a number field starts a call with the cleaned number, or is refused.

    An empty or false value of an optional number counts as not given.
    """
    stats: Counter[str] = Counter()
    base = {"b_number": NUMBER, "config_entry_id": accounts.first.entry_id}

    @given(number_values(field_name))
    def check(generated: Value) -> None:
        outcome = run(
            hass, call_action(hass, simulator, {**base, field_name: generated.value})
        )
        note(f"{generated.value!r} ({generated.kind}) -> {outcome}")
        if field_name != "b_number" and not generated.value:
            assert field_name not in started(outcome)
            stats["not_given"] += 1
            return
        value = generated.value
        if not isinstance(value, str):
            assert refusal(outcome) == f"{field_name}_not_text"
            assert outcome.error.translation_placeholders is None
            stats["not_text"] += 1
            return
        if outcome.error is None:
            sent = started(outcome)[field_name]
            check_sent_number(field_name, value, sent)
            assert generated.kind != "bad", f"{value!r} was sent as {sent!r}"
            if generated.kind == "good":
                assert sent == generated.expect
            stats["posted"] += 1
            stats[f"posted_{generated.kind}"] += 1
            return
        assert refusal(outcome) == f"invalid_{field_name}"
        assert outcome.error.translation_placeholders == {"number": value}
        assert generated.kind != "good", f"{value!r} should be {generated.expect!r}"
        stats["refused"] += 1
        stats[f"refused_{generated.kind}"] += 1

    check()
    assert_seen(
        stats,
        posted_good=enough(0.1),
        refused_bad=enough(0.1),
        not_text=enough(0.05),
        refused_free=enough(0.05),
    )


@pytest.mark.usefixtures("freezer")
def test_action_auto_answer(
    hass: HomeAssistant, simulator: Simulator, accounts: Accounts
) -> None:
    """Any auto_answer is sent as the boolean it means, or refused by the schema."""
    stats: Counter[str] = Counter()
    base = {"b_number": NUMBER, "config_entry_id": accounts.first.entry_id}

    @given(
        st.one_of(
            st.booleans(),
            BOOLEAN_WORDS,
            st.integers(),
            st.floats(),
            st.text(max_size=10),
            ANY_VALUE,
        )
    )
    def check(value: Any) -> None:
        outcome = run(
            hass, call_action(hass, simulator, {**base, "auto_answer": value})
        )
        note(f"{value!r} -> {outcome}")
        expected = reference_boolean(value)
        if expected is None:
            assert refusal(outcome) == "schema"
            stats["refused"] += 1
            return
        assert started(outcome)["auto_answer"] is expected
        stats["posted"] += 1

    check()
    assert_seen(stats, posted=enough(0.25), refused=enough(0.1))


@pytest.mark.usefixtures("freezer")
def test_action_config_entry_id(
    hass: HomeAssistant, simulator: Simulator, accounts: Accounts
) -> None:
    """Any config_entry_id calls from that account, or is refused and calls nobody."""
    stats: Counter[str] = Counter()
    ids = [
        accounts.first.entry_id,
        accounts.second.entry_id,
        accounts.not_loaded.entry_id,
        accounts.other_domain.entry_id,
    ]
    absent = object()

    @given(
        st.one_of(
            st.sampled_from(ids),
            st.sampled_from(ids).map(lambda entry_id: f" {entry_id}"),
            st.text(max_size=30),
            ANY_VALUE,
            st.just(absent),
        ),
        # Each example calls another number, so the few entry ids are tried often.
        good_numbers(),
    )
    @example(absent, (NUMBER, NUMBER))
    @example(accounts.first.entry_id, (NUMBER, NUMBER))
    @example(accounts.second.entry_id, (NUMBER, NUMBER))
    @example(accounts.not_loaded.entry_id, (NUMBER, NUMBER))
    @example(accounts.other_domain.entry_id, (NUMBER, NUMBER))
    @example(None, (NUMBER, NUMBER))
    def check(value: Any, number: tuple[str, str]) -> None:
        data: dict[str, Any] = {"b_number": number[0]}
        if value is not absent:
            data["config_entry_id"] = value
        outcome = run(hass, call_action(hass, simulator, data))
        note(f"{value!r} -> {outcome}")
        if value is absent:
            kind = refusal(outcome)
            assert kind == "entry_required"  # two accounts are loaded
        elif value is None or isinstance(value, (list, dict)):
            kind = refusal(outcome)
            assert kind == "schema"
        elif (entry_id := str(value)) in accounts.loaded_ids:
            body = started(outcome, accounts.loaded_ids[entry_id])
            assert body == {"b_number": number[1]}
            kind = "posted"
        elif entry_id == accounts.not_loaded.entry_id:
            kind = refusal(outcome)
            assert kind == "entry_not_loaded"
            assert outcome.error.translation_placeholders == {"title": "Third User"}
        else:
            kind = refusal(outcome)
            assert kind == "entry_not_found"
            assert outcome.error.translation_placeholders == {"entry_id": entry_id}
        stats[kind] += 1

    check()
    assert_seen(
        stats,
        posted=enough(0.04),
        entry_required=1,
        schema=1,
        entry_not_loaded=1,
        entry_not_found=enough(0.1),
    )


@pytest.mark.usefixtures("freezer")
def test_action_all_fields(
    hass: HomeAssistant, simulator: Simulator, accounts: Accounts
) -> None:
    """Several fields at once: the first problem is the one reported, or all are sent.

    The schema is checked first, then that a number is given, then the account, then
    b_number, a_number and b_cli.
    """
    stats: Counter[str] = Counter()
    absent = Value(object())
    numbers = {
        name: st.one_of(
            good_numbers().map(lambda pair: Value(pair[0], pair[1])),
            bad_numbers(name).map(lambda raw: Value(raw, "bad")),
            ANY_VALUE.filter(lambda value: not isinstance(value, str)).map(Value),
            st.just(absent),
        )
        for name in NUMBER_FIELDS
    }
    auto_answer = st.one_of(
        BOOLEAN_WORDS.map(Value), ANY_VALUE.map(Value), st.just(absent)
    )
    entry = st.one_of(
        st.sampled_from(
            [accounts.first.entry_id, accounts.second.entry_id] * 3
            + ["no-such-entry", None]
        ).map(Value),
        st.just(absent),
    )

    def expected(fields: dict[str, Value]) -> str:
        """Return the refusal the action must answer with, or "posted"."""
        given_ = {name: value for name, value in fields.items() if value is not absent}
        if (
            "auto_answer" in given_
            and reference_boolean(given_["auto_answer"].value) is None
        ):
            return "schema"
        if "config_entry_id" in given_ and given_["config_entry_id"].value is None:
            return "schema"
        if "b_number" not in given_:
            # A number or a contact is needed; no contact is given here.
            return "number_or_contact"
        if "config_entry_id" not in given_:
            return "entry_required"
        if given_["config_entry_id"].value not in accounts.loaded_ids:
            return "entry_not_found"
        for name in NUMBER_FIELDS:
            if name not in given_ or (name != "b_number" and not given_[name].value):
                continue
            if not isinstance(given_[name].value, str):
                return f"{name}_not_text"
            if given_[name].kind == "bad":
                return f"invalid_{name}"
        return "posted"

    @given(
        st.fixed_dictionaries(
            {
                **numbers,
                "auto_answer": auto_answer,
                "config_entry_id": entry,
            }
        )
    )
    @example(
        {
            "b_number": Value(" 0031 (0)50-800 98 99", "+31508009899"),
            "a_number": Value("202", "202"),
            "b_cli": Value("default_number", "default_number"),
            "auto_answer": Value("on"),
            "config_entry_id": Value(accounts.second.entry_id),
        }
    )
    def check(fields: dict[str, Value]) -> None:
        data = {
            name: value.value for name, value in fields.items() if value is not absent
        }
        outcome = run(hass, call_action(hass, simulator, data))
        note(f"{data!r} -> {outcome}")
        want = expected(fields)
        stats[want] += 1
        if want != "posted":
            assert refusal(outcome) == want
            return
        body = started(outcome, accounts.loaded_ids[data["config_entry_id"]])
        sent = {"b_number": fields["b_number"].expect}
        for name in ("a_number", "b_cli"):
            if data.get(name):
                sent[name] = fields[name].expect
        if "auto_answer" in data:
            sent["auto_answer"] = reference_boolean(data["auto_answer"])
        assert body == sent

    check()
    assert_seen(stats, posted=enough(0.02), schema=enough(0.05))
    assert len(stats) >= 5, stats


# -- the config flow ---------------------------------------------------------------------

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "127.0.0.2")
OTHER_HOSTS = ("partner.voys.co", "api.voipgrid.nl", "192.168.1.10", "[2001:db8::1]")
# What an HTTP header cannot carry: control characters, and text that cannot be encoded.
_NOT_IN_HEADER = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


@st.composite
def urls(draw: st.DrawFn, port: int) -> Value:
    """Return a URL built from parts, tagged with what it must lead to.

    "simulator" when it is the simulator's own address, "elsewhere" for another usable
    address, "bad" for a URL that must be refused without a request.
    """
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https", "ftp", "ws", ""]))
    host = draw(st.sampled_from(LOOPBACK_NAMES + OTHER_HOSTS))
    use_port = draw(st.sampled_from([port, port, None, 443]))
    userinfo = draw(st.sampled_from(["", "", "user@", "user:pw@", ":pw@"]))
    path = draw(st.sampled_from(["", "/", "//", "/api", "/api/"]))
    tail = draw(st.sampled_from(["", "", "?a=1", "#top"]))
    netloc = f"{userinfo}{host}" + (f":{use_port}" if use_port else "")
    text = f"{scheme}://{netloc}{path}{tail}" if scheme else f"{netloc}{path}{tail}"
    text = (
        draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " "]))
    )
    scheme = scheme.lower()
    usable = (
        scheme in ("http", "https")
        and not userinfo
        and not tail
        and (scheme == "https" or host in LOOPBACK_NAMES)
    )
    if not usable:
        return Value(text, "bad")
    if (scheme, host, use_port, path.strip("/")) == ("http", "127.0.0.1", port, ""):
        return Value(text, "simulator")
    return Value(text, "elsewhere")


def _is_loopback(host: str) -> bool:
    """Return whether a host is this machine (independently of the integration)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class FlowOutcome:
    """How one submitted form ended, and what was asked of which address."""

    result: dict[str, Any] | None = None
    error: Exception | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)


@pytest.fixture
def offline_elsewhere(simulator: Simulator) -> Any:
    """Let the config flow reach only the simulator; record every other base URL tried.

    A request to any other address fails as a connection error would, so the fuzzed URLs
    never leave this machine (nor resolve a name).
    """
    tried: list[str] = []

    def make_client(session: Any, *, base_url: str, **kwargs: Any) -> VoipgridClient:
        client = VoipgridClient(session, base_url=base_url, **kwargs)
        if client.base_url != simulator.url:
            tried.append(client.base_url)
            client.get_profile = AsyncMock(  # type: ignore[method-assign]
                side_effect=VoipgridConnectionError("offline")
            )
        return client

    with (
        patch(
            "custom_components.clicktodial.config_flow.VoipgridClient",
            side_effect=make_client,
        ),
        patch.object(integration, "async_setup_entry", return_value=True),
        patch.object(integration, "async_unload_entry", return_value=True),
    ):
        yield tried


async def submit_user_form(
    hass: HomeAssistant, simulator: Simulator, tried: list[str], data: dict[str, Any]
) -> FlowOutcome:
    """Fill in the user step; leave no flow or entry behind."""
    outcome = FlowOutcome()
    requests, elsewhere = len(simulator.requests), len(tried)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    try:
        outcome.result = dict(
            await hass.config_entries.flow.async_configure(result["flow_id"], data)
        )
    except InvalidData as err:
        outcome.error = err
    outcome.requests = simulator.requests[requests:]
    outcome.elsewhere = tried[elsewhere:]
    if outcome.result is None or outcome.result["type"] is FlowResultType.FORM:
        hass.config_entries.flow.async_abort(result["flow_id"])
    elif outcome.result["type"] is FlowResultType.CREATE_ENTRY:
        assert await hass.config_entries.async_remove(outcome.result["result"].entry_id)
    return outcome


def form_error(outcome: FlowOutcome, known: set[str]) -> dict[str, str]:
    """Check the form was shown again with known, translated errors; return them."""
    assert outcome.result is not None, repr(outcome.error)
    assert outcome.result["type"] is FlowResultType.FORM, outcome.result
    errors = outcome.result["errors"]
    assert errors
    assert set(errors.values()) <= known, errors
    return dict(errors)


def check_address_tried(base_url: str) -> None:
    """Check a base URL the flow tried is safe to send the API token to."""
    url = URL(base_url)
    assert url.scheme in ("http", "https"), base_url
    assert url.user is None, base_url
    assert url.password is None, base_url
    assert not url.query_string, base_url
    assert not url.fragment, base_url
    assert url.host, base_url
    if url.scheme == "http":
        assert _is_loopback(url.host), base_url


@pytest.mark.usefixtures("freezer")
def test_config_flow_url(
    hass: HomeAssistant, simulator: Simulator, offline_elsewhere: list[str]
) -> None:
    """Any URL creates the entry, cannot be reached, or is an invalid URL.

    No token ever goes in clear text to another machine, nor to a URL with credentials.
    """
    stats: Counter[str] = Counter()
    port = int(simulator.url.rsplit(":", 1)[1])
    credentials = {CONF_EMAIL: DEFAULT_EMAIL, CONF_API_TOKEN: DEFAULT_TOKEN}

    @given(
        st.one_of(
            urls(port),
            urls(port),
            st.text(max_size=40).map(Value),
            ANY_VALUE.filter(lambda value: not isinstance(value, str)).map(Value),
        )
    )
    @example(Value(simulator.url, "simulator"))
    @example(Value(f" {simulator.url.upper()}// ", "simulator"))
    @example(Value(f"https://{simulator.url[7:]}", "elsewhere"))
    @example(Value(simulator.url.replace("http", "ftp"), "bad"))
    def check(generated: Value) -> None:
        value = generated.value
        outcome = run(
            hass,
            submit_user_form(
                hass, simulator, offline_elsewhere, {CONF_URL: value, **credentials}
            ),
        )
        note(f"{value!r} ({generated.expect}) -> {outcome}")
        for base_url in outcome.elsewhere:
            check_address_tried(base_url)
        if not isinstance(value, str):
            assert isinstance(outcome.error, InvalidData)
            assert not outcome.requests
            assert not outcome.elsewhere
            stats["schema"] += 1
            return
        assert outcome.error is None
        if outcome.result["type"] is FlowResultType.CREATE_ENTRY:
            assert outcome.result["data"][CONF_URL] == simulator.url
            assert [r.endpoint for r in outcome.requests] == ["profile"]
            assert generated.expect in ("simulator", None)
            stats["created"] += 1
            return
        errors = form_error(outcome, CONFIG_ERRORS)
        if errors == {CONF_URL: "invalid_url"}:
            assert not outcome.requests
            assert not outcome.elsewhere
            assert generated.expect in ("bad", None)
            stats["invalid_url"] += 1
            return
        assert errors == {"base": "cannot_connect"}
        assert not outcome.requests
        assert len(outcome.elsewhere) == 1
        assert generated.expect in ("elsewhere", None)
        stats["elsewhere"] += 1

    check()
    assert_seen(
        stats,
        created=2,
        invalid_url=enough(0.2),
        elsewhere=enough(0.02),
        schema=enough(0.05),
    )


@pytest.mark.parametrize(
    ("field_name", "correct"),
    [(CONF_EMAIL, DEFAULT_EMAIL), (CONF_API_TOKEN, DEFAULT_TOKEN)],
)
@pytest.mark.usefixtures("freezer")
def test_config_flow_credentials(
    hass: HomeAssistant,
    simulator: Simulator,
    offline_elsewhere: list[str],
    caplog: pytest.LogCaptureFixture,
    field_name: str,
    correct: str,
) -> None:
    """Any email or token creates the entry (the right one), or is a known form error.

    A blank value is required, and a value that cannot even be put in an HTTP header
    (a control character) is wrong: both are refused without asking anybody. Any other
    wrong value is refused by the platform. Nothing is logged with a traceback, and a
    long token typed is never shown in the logs.
    """
    stats: Counter[str] = Counter()

    @given(
        st.one_of(
            st.tuples(st.text(" \t\n", max_size=2), st.text(" \t\n", max_size=2)).map(
                lambda pad: Value(pad[0] + correct + pad[1], "good")
            ),
            st.sampled_from(
                [correct.upper(), correct[:-1], correct + "x", f"x{correct}"]
            ).map(lambda wrong: Value(wrong, "bad")),
            st.text(max_size=40).map(Value),
            ANY_VALUE.filter(lambda value: not isinstance(value, str)).map(Value),
        )
    )
    @example(Value(f"{correct}\n{correct}"))
    @example(Value(f"{correct}\x00"))
    @example(Value(""))
    @example(Value(" \t\n"))
    def check(generated: Value) -> None:
        value = generated.value
        data = {
            CONF_URL: simulator.url,
            CONF_EMAIL: DEFAULT_EMAIL,
            CONF_API_TOKEN: DEFAULT_TOKEN,
            field_name: value,
        }
        records = len(caplog.records)
        outcome = run(hass, submit_user_form(hass, simulator, offline_elsewhere, data))
        note(f"{value!r} -> {outcome}")
        assert not outcome.elsewhere
        if not isinstance(value, str):
            assert isinstance(outcome.error, InvalidData)
            assert not outcome.requests
            stats["schema"] += 1
            return
        if field_name == CONF_API_TOKEN and len(value.strip()) >= 12:
            for record in caplog.records[records:]:
                for text in record_texts(record):
                    assert value.strip() not in text
        assert outcome.error is None
        if value.strip() == correct:
            assert outcome.result["type"] is FlowResultType.CREATE_ENTRY
            assert outcome.result["data"][field_name] == correct
            assert [r.endpoint for r in outcome.requests] == ["profile"]
            stats["created"] += 1
            return
        assert generated.kind != "good"
        assert not [r for r in caplog.records[records:] if r.exc_info]
        errors = form_error(outcome, CONFIG_ERRORS)
        if not value.strip():
            assert errors == {field_name: "required"}
            assert not outcome.requests
            stats["required"] += 1
            return
        assert errors == {"base": "invalid_auth"}, errors
        if _NOT_IN_HEADER.search(value.strip()):
            assert generated.kind != "bad"
            assert not outcome.requests
            stats["not_sent"] += 1
            return
        assert [r.endpoint for r in outcome.requests] == ["profile"]
        stats["invalid_auth"] += 1

    check()
    assert_seen(
        stats,
        created=enough(0.1),
        invalid_auth=enough(0.05),
        schema=enough(0.05),
        required=2,
        not_sent=2,
    )


# -- the options flow --------------------------------------------------------------------


def option_values(field_name: str) -> st.SearchStrategy[Value]:
    """Return values of an options field: auto-answer choices, or number values."""
    if field_name == "auto_answer":
        return st.one_of(
            st.sampled_from(["platform", "on", "off"]).map(lambda v: Value(v, v)),
            st.sampled_from(["On", " on", "true", "yes", ""]).map(
                lambda v: Value(v, "bad")
            ),
            st.text(max_size=10).map(Value),
            ANY_VALUE.map(Value),
        )
    return number_values(field_name)


@pytest.mark.parametrize("field_name", ["a_number", "b_cli", "auto_answer"])
@pytest.mark.usefixtures("freezer")
def test_options_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    field_name: str,
) -> None:
    """Any option is saved cleaned up, or is a form error; the platform is not asked.

    Every option saved is then accepted by the action and sent as saved.
    """
    stats: Counter[str] = Counter()
    entry = init_integration

    async def submit(data: dict[str, Any]) -> FlowOutcome:
        outcome = FlowOutcome()
        before = len(simulator.requests)
        result = await hass.config_entries.options.async_init(entry.entry_id)
        try:
            outcome.result = dict(
                await hass.config_entries.options.async_configure(
                    result["flow_id"], data
                )
            )
        except InvalidData as err:
            outcome.error = err
            hass.config_entries.options.async_abort(result["flow_id"])
        await hass.async_block_till_done()
        outcome.requests = simulator.requests[before:]
        return outcome

    @given(option_values(field_name))
    def check(generated: Value) -> None:
        value = generated.value
        outcome = run(hass, submit({field_name: value}))
        note(f"{value!r} ({generated.kind}) -> {outcome}")
        assert not outcome.requests
        if outcome.error is not None:
            assert isinstance(outcome.error, InvalidData)
            if field_name == "auto_answer":
                assert value not in ("platform", "on", "off")
            else:
                assert not isinstance(value, str)
            stats["schema"] += 1
            return
        assert isinstance(value, str)
        if outcome.result["type"] is FlowResultType.FORM:
            assert form_error(outcome, OPTIONS_ERRORS) == {field_name: "invalid_number"}
            assert generated.kind != "good"
            assert value.strip()
            stats["invalid_number"] += 1
            return
        assert outcome.result["type"] is FlowResultType.CREATE_ENTRY
        options = dict(entry.options)
        assert options == outcome.result["data"]
        if field_name == "auto_answer":
            assert options == {"auto_answer": value}
        elif not value.strip():
            assert options == {"auto_answer": "platform"}
        else:
            assert generated.kind != "bad", f"{value!r} saved as {options}"
            check_sent_number(field_name, value, options[field_name])
            if generated.kind == "good":
                assert options[field_name] == generated.expect
        # What was saved is what a call then sends: cleaning again changes nothing.
        call = run(
            hass,
            call_action(
                hass,
                simulator,
                {"b_number": NUMBER, "config_entry_id": entry.entry_id},
            ),
        )
        sent = {"b_number": NUMBER}
        for name in ("a_number", "b_cli"):
            if name in options:
                sent[name] = options[name]
        if options["auto_answer"] != "platform":
            sent["auto_answer"] = options["auto_answer"] == "on"
        assert started(call) == sent
        stats["saved"] += 1

    check()
    if field_name == "auto_answer":
        assert_seen(stats, saved=3, schema=enough(0.2))  # each of the three choices
    else:
        assert_seen(
            stats, saved=enough(0.2), schema=enough(0.05), invalid_number=enough(0.1)
        )


# -- regressions found by these tests -------------------------------------------------
@given(st.one_of(NUMBERISH, st.text(max_size=30), good_numbers().map(lambda p: p[0])))
@example("0)00")
@example("0(0)123")
@example("0(0)31508009899")
@example("(00)31 50 800 98 99")
def test_clean_number_is_idempotent(text: str) -> None:
    """A cleaned number cleans to itself: a saved option is sent as it was saved."""
    for allow_default_number in (False, True):
        try:
            cleaned = clean_number(text, allow_default_number=allow_default_number)
        except InvalidNumberError:
            continue
        assert clean_number(cleaned, allow_default_number=allow_default_number) == (
            cleaned
        )


@pytest.mark.usefixtures("freezer", "init_integration")
async def test_unquoted_yaml_number_is_not_called(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An unquoted international number in a script is refused, never changed.

    ``b_number: 00442071234567`` (a London number) is the octal integer 38938163575
    to YAML 1.1; read as a number it would call +38938163575.
    """
    data = parse_yaml("b_number: 00442071234567")
    assert data == {"b_number": 38938163575}

    outcome = await call_action(hass, simulator, data)

    assert refusal(outcome) == "b_number_not_text"


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("0)00", None),
        ("0(0)1", None),
        ("0(0)123", "+123"),
        ("0(0)31508009899", "+31508009899"),
    ],
)
@pytest.mark.usefixtures("freezer")
async def test_saved_number_is_sent_as_saved(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    typed: str,
    saved: str | None,
) -> None:
    """A number the options accept is sent as saved; one a call would refuse is refused.

    Such numbers were once saved with 00 ("000", "00123") and cleaned again by each
    call: refused, or sent as another text ("+123").
    """
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"b_cli": typed}
    )
    if saved is None:
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"b_cli": "invalid_number"}
        return
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["b_cli"] == saved

    outcome = await call_action(
        hass,
        simulator,
        {"b_number": NUMBER, "config_entry_id": init_integration.entry_id},
    )

    assert started(outcome) == {"b_number": NUMBER, "b_cli": saved}
