"""Personal data: detection (with validators) and redaction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from empathic_reply.details import (
    PERSONAL_KINDS,
    find_personal_data,
    iban_valid,
    luhn_valid,
    redact,
)

from .strategies import hostile_text, support_text


def personal(text: str) -> list[tuple[str, str]]:
    return [(d.kind, d.text) for d in find_personal_data(text)]


# -- cards ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "4111 1111 1111 1111",  # Visa test number
        "4111-1111-1111-1111",
        "4111111111111111",
        "5500 0000 0000 0004",  # Mastercard
        "3782 822463 10005",  # Amex 4-6-5
        "6011 1111 1111 1117",  # Discover
        "4012888888881881",
    ],
)
def test_luhn_valid_cards_found(number: str) -> None:
    text = f"my card {number} was charged"
    assert personal(text) == [("card_number", number)]
    assert find_personal_data(text)[0].value == number.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    "number",
    [
        "4111 1111 1111 1112",  # fails Luhn
        "1234 5678 9012 3456",  # fails Luhn and no issuer
        "0000 0000 0000 0000",  # Luhn-valid but no issuer prefix
        "9111 1111 1111 1111",
    ],
)
def test_invalid_cards_not_found(number: str) -> None:
    assert not [k for k, _ in personal(f"number {number} here") if k == "card_number"]


def test_luhn_function() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


# -- IBAN -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban",
    [
        "GB82 WEST 1234 5698 7654 32",
        "GB82WEST12345698765432",
        "DE89 3704 0044 0532 0130 00",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
    ],
)
def test_valid_iban_found(iban: str) -> None:
    assert personal(f"pay to {iban} today") == [("iban", iban)]


@pytest.mark.parametrize(
    "iban", ["GB82 WEST 1234 5698 7654 33", "DE89370400440532013001", "XX00 1234 5678 9012"]
)
def test_invalid_iban_not_found(iban: str) -> None:
    assert not [k for k, _ in personal(f"pay to {iban} today") if k == "iban"]


def test_iban_does_not_eat_next_word() -> None:
    assert personal("IBAN DE89370400440532013000 THEN call") == [("iban", "DE89370400440532013000")]


def test_iban_function() -> None:
    assert iban_valid("GB82WEST12345698765432")
    assert not iban_valid("GB82WEST12345698765431")
    assert not iban_valid("short")


# -- phones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found", "value"),
    [
        ("call +44 20 7946 0958 now", "+44 20 7946 0958", "+442079460958"),
        ("call +1-800-555-0199", "+1-800-555-0199", "+18005550199"),
        ("ring +33 1 23 45 67 89", "+33 1 23 45 67 89", "+33123456789"),
        ("or 0044 20 7946 0958", "0044 20 7946 0958", "+442079460958"),
        ("on (555) 123-4567 please", "(555) 123-4567", "5551234567"),
        ("at 555-123-4567", "555-123-4567", "5551234567"),
        ("Please call 1-800-869-3557 today", "1-800-869-3557", "18008693557"),
        ("at 1.877.350.0038.", "1.877.350.0038", "18773500038"),
        ("mobile 07700 900123", "07700 900123", "07700900123"),
        ("office 020 7946 0958", "020 7946 0958", "02079460958"),
        ("call me 8384052361 plz", "8384052361", "8384052361"),
        ("my number is 555-1234", "555-1234", "5551234"),
        ("Plz Contact - 8587981023", "8587981023", "8587981023"),
        ("フリーダイヤル：0120-999-373へ", "0120-999-373", "0120999373"),
    ],
)
def test_phones(text: str, found: str, value: str) -> None:
    details = find_personal_data(text)
    assert [(d.kind, d.text, d.value) for d in details] == [("phone", found, value)]


@pytest.mark.parametrize(
    "text",
    [
        "I waited 1234567890 years",  # bare digits without a phone word
        "the year 2019 and 2020",
        "it costs 555-1234 nothing",  # short local number without a phone word
        "score 3-2 then 10-12",
        "in 2023-10-03 it broke",
        "+1 for this",
        "$1,234,567,890 lost",
    ],
)
def test_not_phones(text: str) -> None:
    assert not [k for k, _ in personal(text) if k == "phone"]


# -- emails and handles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "jane.doe@example.com",
        "jo.doe+x@mail.example.co.uk",
        "A_B-c@sub.domain.io",
        "domngash@yahoo.com",
    ],
)
def test_emails(email: str) -> None:
    details = find_personal_data(f"write to {email}, thanks")
    assert [(d.kind, d.text) for d in details] == [("email", email)]
    assert details[0].value == email.lower()


@pytest.mark.parametrize(
    "text", ["enquiries@ and web form", "me @ home", "a@b", "x@y.", "name@localhost"]
)
def test_not_emails(text: str) -> None:
    assert not [k for k, _ in personal(text) if k == "email"]


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("@AmazonHelp why??", ["@AmazonHelp"]),
        ("@115719 Help has arrived", ["@115719"]),  # TWCS anonymised handles are handles
        ("thanks @jane_doe and @Bob", ["@jane_doe", "@Bob"]),
        ("see you @5pm", []),
        ("mail a@b.com", []),
        ("@@@", []),
    ],
)
def test_handles(text: str, handles: list[str]) -> None:
    assert [t for k, t in personal(text) if k == "handle"] == handles


# -- identifiers and addresses ------------------------------------------------------------------


def test_ids_are_personal() -> None:
    assert personal("order #123456, case 778899, account no 12345678") == [
        ("order_id", "#123456"),
        ("ticket_id", "778899"),
        ("account_id", "12345678"),
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I live at 221B Baker Street, London", "221B Baker Street"),
        ("ship to 1600 Amphitheatre Pkwy, Mountain View", "1600 Amphitheatre Pkwy"),
        ("send it to 10 Downing St. please", "10 Downing St."),
        ("my flat is 12 Rue de Rivoli, Paris", "12 Rue de Rivoli"),
        ("Hauptstraße 5 in Berlin", "Hauptstraße 5"),
        ("postcode NW1 6XE", "NW1 6XE"),
        ("leamington spa CV32 4HN area", "CV32 4HN"),
        ("Mountain View, CA 94043", "CA 94043"),
        ("my zip is 90210", "90210"),
        ("deliver to 42 main street", "42 main street"),
    ],
)
def test_addresses(text: str, found: str) -> None:
    assert [t for k, t in personal(text) if k == "address"] == [found]


@pytest.mark.parametrize(
    "text",
    [
        "2 hours down the road",
        "5 minutes up the street",
        "my PS4 5GB update",
        "I have 12345 reasons",
        "it took 3 Days Way too long",
        "we need 2 more Lanes",
    ],
)
def test_not_addresses(text: str) -> None:
    assert not [k for k, _ in personal(text) if k == "address"]


# -- what is not personal -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "My iPhone 11 broke after 2 weeks",
        "2 for 1 deal, support 24/7",
        "at 10:30 on 3/10 I paid $49.99",
        "it was 2019 and I paid £1,250",
        "see https://t.co/abc123XYZ and https://twitter.com/i/web/status/928012345678901234",
        "waiting 48 hrs since Monday - Maria",
        "",
        "   ",
    ],
)
def test_nothing_personal(text: str) -> None:
    assert find_personal_data(text) == []


def test_only_personal_kinds() -> None:
    text = "Hi, I'm @jo, order #123456 for $20 took 3 weeks; jo@x.com, 221B Baker Street"
    details = find_personal_data(text)
    assert details
    assert all(d.personal and d.kind in PERSONAL_KINDS for d in details)


def test_type_errors() -> None:
    with pytest.raises(TypeError, match="text"):
        find_personal_data(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text"):
        redact(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="placeholder"):
        redact("x", placeholder=None)  # type: ignore[arg-type]


# -- redaction ------------------------------------------------------------------------------------


def test_redact() -> None:
    text = "Email me at a@b.com or call 555-123-4567 about order #12345678, thanks @jo"
    assert redact(text) == (
        "Email me at [email] or call [phone] about order [order_id], thanks [handle]"
    )


def test_redact_custom_placeholder() -> None:
    assert redact("mail a@b.com", placeholder="<{kind} removed>") == "mail <email removed>"
    assert redact("mail a@b.com", placeholder="{x}***") == "mail {x}***"


def test_redact_leaves_other_text_alone() -> None:
    text = "My iPhone 11 broke after 2 weeks, $49.99 wasted. https://t.co/x1"
    assert redact(text) == text


_PERSONAL_BITS = [
    "order #123456",
    "my order 98765432",
    "call +44 20 7946 0958",
    "(555) 123-4567",
    "a@b.co",
    "jane.doe@example.com",
    "@someone",
    "@123456",
    "4111 1111 1111 1111",
    "GB82 WEST 1234 5698 7654 32",
    "221B Baker Street",
    "NW1 6XE",
    "case 778899",
    "tracking 1Z999AA10123456784",
    "phone",
    "order",
    "#",
    "@",
    "[phone]",
]


@given(
    hostile_text
    | support_text
    | st.lists(st.sampled_from(_PERSONAL_BITS), max_size=8).map(" ".join)
    | st.lists(st.sampled_from(_PERSONAL_BITS), max_size=6).map("".join)
)
def test_redact_removes_everything_personal(text: str) -> None:
    original = {d.text for d in find_personal_data(text)}
    redacted = redact(text)
    assert find_personal_data(redacted) == []
    for found in original:
        assert found not in {d.text for d in find_personal_data(redacted)}


@given(hostile_text)
def test_personal_spans_slice_the_input(text: str) -> None:
    last_end = 0
    for detail in find_personal_data(text):
        assert detail.personal
        assert text[detail.start : detail.end] == detail.text
        assert detail.start >= last_end
        last_end = detail.end
