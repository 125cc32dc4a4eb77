"""Pure rules: templates, tracking numbers, quiet hours, limits, receipts, signatures, OTP."""

from __future__ import annotations

import base64
import ipaddress
from datetime import UTC, datetime, time, timedelta

import pytest

from mahaliyat.clock import CAIRO
from notification_service.domain.otp import OtpCipher, OtpDecryptionError
from notification_service.domain.signatures import WebhookAuthError, signature, verify
from notification_service.domain.states import MessageState, after_receipt
from notification_service.domain.templates import (
    MissingValues,
    TemplateSyntaxError,
    UnusedValues,
    placeholders,
    render,
)
from notification_service.domain.timing import QuietHours, RecipientLimits, backoff
from notification_service.domain.tracking import TrackingNumber, extract
from notification_service.domain.values import event_values
from notification_service.domain.webhooks import (
    address_allowed,
    client_address,
    payload_digest,
    verify_basic,
    verify_token,
)
from notification_service.seed.templates import DEFAULT_TEMPLATES

# --- templates ------------------------------------------------------------------------------


def test_seeded_templates_render_in_both_languages() -> None:
    values = {"tracking_number": "21-26-0004217-9", "service_name": "ترخيص بناء"}
    arabic = render(DEFAULT_TEMPLATES["request.submitted"]["ar"], values)
    assert arabic.startswith("محليات: تم استلام طلبك رقم 21-26-0004217-9 لخدمة ترخيص بناء.")
    english = render(
        DEFAULT_TEMPLATES["request.submitted"]["en"],
        {**values, "service_name": "Building permit"},
    )
    assert english.startswith(
        "Mahaliyat: we received your application 21-26-0004217-9 for Building permit."
    )


def test_every_default_template_exists_in_arabic_and_english_with_the_same_placeholders() -> None:
    for key, texts in DEFAULT_TEMPLATES.items():
        assert set(texts) == {"ar", "en"}, key
        assert set(placeholders(texts["ar"])) == set(placeholders(texts["en"])), key


def test_a_missing_value_is_refused_never_left_blank() -> None:
    with pytest.raises(MissingValues) as refused:
        render("رفض طلبك {tracking_number}. السبب: {reason}", {"tracking_number": "x"})
    assert refused.value.names == ("reason",)


def test_unused_values_are_ignored_for_events_and_refused_when_asked() -> None:
    assert render("رقم {a}", {"a": "1", "b": "2"}) == "رقم 1"
    with pytest.raises(UnusedValues) as refused:
        render("رقم {a}", {"a": "1", "b": "2"}, unused="refuse")
    assert refused.value.names == ("b",)


@pytest.mark.parametrize("bad", ["{", "a } b", "{Name}", "{0}", "{a b}", "{x:>5}"])
def test_malformed_templates_are_refused(bad: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        placeholders(bad)


def test_braces_are_escaped_and_values_are_not_reinterpreted() -> None:
    assert render("{{literal}} {a}", {"a": "{b}"}) == "{literal} {b}"


def test_partial_rendering_keeps_the_code_for_later() -> None:
    partial = render("رمز {code} لطلب {{x}} {name}", {"name": "{سارة}"}, keep={"code"})
    assert render(partial, {"code": "123456"}) == "رمز 123456 لطلب {x} {سارة}"


def test_event_values_localise_money_dates_and_pairs() -> None:
    values = event_values(
        {
            "tracking_number": "21-26-0004217-9",
            "amount_due_piasters": 15050,
            "reason": {"ar": "صورة البطاقة غير واضحة", "en": "The ID copy is unreadable"},
            "due_at": "2026-12-08T22:30:00+00:00",
            "applicant": {"phone": "+201012345678"},
            "sla_met": True,
            "note": None,
        },
        "en",
    )
    assert values["amount_due"] == "EGP 150.50"
    assert values["reason"] == "The ID copy is unreadable"
    assert values["due_date"] == "2026-12-09"  # 00:30 the next day in Cairo
    assert "applicant" not in values  # never the phone in a text
    assert "note" not in values
    assert "sla_met" not in values
    assert event_values({"amount_due_piasters": 15050}, "ar")["amount_due"] == "١٥٠٫٥٠ ج.م"


# --- tracking numbers ------------------------------------------------------------------------


def test_the_check_digit_is_damm() -> None:
    number = TrackingNumber.build("21", "26", 4217)
    assert str(number) == "21-26-0004217-9"
    with pytest.raises(ValueError, match="not a valid tracking number"):
        TrackingNumber("212600042173")


@pytest.mark.parametrize(
    "text",
    [
        "21-26-0004217-9",
        "212600042179",
        "21 26 0004217 9",
        "٢١-٢٦-٠٠٠٤٢١٧-٩",
        "حالة طلب ٢١-٢٦-٠٠٠٤٢١٧-٩ لو سمحت",
        "\u200f٢١٢٦٠٠٠٤٢١٧٩\u200f",  # direction marks a phone puts around digits
        "status of 21–26–0004217–9 please",  # en dashes
        "طلب رقم ۲۱۲۶۰۰۰۴۲۱۷۹",  # Persian digits
        "انا رقمي 01012345678 والطلب 21-26-0004217-9",
        "21-26-0004217-9 01012345678",
        "٢١،٢٦،٠٠٠٤٢١٧،٩",  # Arabic commas
        "طلب ٢١، ٢٦، ٠٠٠٤٢١٧، ٩ من فضلك",  # Arabic commas and spaces
        "21,26,0004217,9",
        "٢١٬٢٦٬٠٠٠٤٢١٧٬٩",  # the Arabic thousands separator
        "٢١٫٢٦٫٠٠٠٤٢١٧٫٩",  # the Arabic decimal separator
        "21 26 0004217 9",  # thin spaces
        "21−26−0004217−9",  # minus signs
        "رقم الطلب: ٢١-٢٦-٠٠٠٤٢١٧-٩، شكرا",  # an Arabic comma after the number
    ],
)
def test_a_tracking_number_is_found_however_it_is_typed(text: str) -> None:
    found = extract(text)
    assert found.number is not None
    assert str(found.number) == "21-26-0004217-9"


@pytest.mark.parametrize(
    ("text", "looked_like_one"),
    [
        ("21-26-0004217-3", True),  # wrong check digit
        ("21-26-0004271-9", True),  # two digits swapped
        ("2126000421", True),  # too short
        ("مرحبا، عايز أعرف حالة طلبي", False),
        ("", False),
        ("01012345678", True),  # a phone number is not a tracking number
        ("٢١،٢٦،٠٠٠٤٢١٧،٣", True),  # Arabic commas do not make a wrong check digit right
        ("21 ، ، ، 26", False),  # separators do not join groups across more than three marks
    ],
)
def test_invalid_or_absent_numbers_are_not_found(text: str, looked_like_one: bool) -> None:
    found = extract(text)
    assert found.number is None
    assert found.looked_like_one is looked_like_one


# --- timing ----------------------------------------------------------------------------------

QUIET = QuietHours(time(22, 0), time(8, 0))


def cairo(hour: int, minute: int = 0, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CAIRO)


def test_quiet_hours_span_midnight_in_cairo() -> None:
    assert QUIET.ends_after(cairo(12)) is None
    assert QUIET.ends_after(cairo(21, 59)) is None
    assert QUIET.ends_after(cairo(22)) == cairo(8, day=25)
    assert QUIET.ends_after(cairo(23, 30)) == cairo(8, day=25)
    assert QUIET.ends_after(cairo(3)) == cairo(8)
    assert QUIET.ends_after(cairo(8)) is None


def test_quiet_hours_follow_cairo_summer_time() -> None:
    # 1 July 2026: Egypt is on UTC+3, so 08:00 in Cairo is 05:00 UTC.
    night = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)  # 03:00 in Cairo
    assert QUIET.ends_after(night) == datetime(2026, 7, 1, 5, 0, tzinfo=UTC)


def test_backoff_doubles_and_is_capped() -> None:
    delays = [backoff(n, base_seconds=30, max_seconds=300) for n in range(1, 7)]
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 240, 300, 300)]


def test_recipient_limits() -> None:
    limits = RecipientLimits(identical_per_hour=20, total_per_hour=100)
    assert limits.verdict(total=99, identical=19) == "ok"
    assert limits.verdict(total=50, identical=20) == "identical_exceeded"
    assert limits.verdict(total=100, identical=0) == "total_exceeded"


# --- receipts move states forward only --------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "receipt", "after"),
    [
        ("sent", "delivered", "delivered"),
        ("sent", "permanent_failure", "permanent_failure"),
        ("sent", "temporary_failure", "temporary_failure"),
        ("temporary_failure", "delivered", "delivered"),
        ("sending", "delivered", "delivered"),
        ("delivered", "temporary_failure", None),
        ("delivered", "permanent_failure", None),
        ("permanent_failure", "delivered", None),
        ("temporary_failure", "temporary_failure", None),
        ("created", "delivered", None),
    ],
)
def test_receipts_never_move_a_message_backwards(
    current: str, receipt: str, after: str | None
) -> None:
    moved = after_receipt(MessageState(current), receipt, final=False, latest=True)  # type: ignore[arg-type]
    assert moved == (MessageState(after) if after else None)


@pytest.mark.parametrize(
    ("current", "receipt", "final", "latest", "after"),
    [
        # About an earlier attempt: only a delivery counts.
        ("sent", "permanent_failure", False, False, None),
        ("sent", "temporary_failure", False, False, None),
        ("temporary_failure", "permanent_failure", False, False, None),
        ("sending", "permanent_failure", False, False, None),
        ("sent", "delivered", False, False, "delivered"),
        # A message given up (retries spent, or no receipt in time): only a delivery counts.
        ("sent", "permanent_failure", True, True, None),
        ("sent", "temporary_failure", True, True, None),
        ("temporary_failure", "permanent_failure", True, True, None),
        ("sent", "delivered", True, True, "delivered"),
        ("temporary_failure", "delivered", True, False, "delivered"),
    ],
)
def test_failures_count_only_for_the_latest_attempt_of_a_message_in_play(
    current: str, receipt: str, final: bool, latest: bool, after: str | None
) -> None:
    moved = after_receipt(MessageState(current), receipt, final=final, latest=latest)  # type: ignore[arg-type]
    assert moved == (MessageState(after) if after else None)


# --- webhook signatures ----------------------------------------------------------------------

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))


def test_a_signed_recent_body_is_accepted() -> None:
    body = b'{"message_id": "x", "status": "delivered"}'
    good = signature("s3cret-for-webhooks", STAMP, body)
    verify(
        "s3cret-for-webhooks",
        timestamp=STAMP,
        signatures=good,
        body=body,
        now=NOW,
        tolerance_seconds=300,
    )
    # Rotation: an old and a new signature side by side.
    verify(
        "s3cret-for-webhooks",
        timestamp=STAMP,
        signatures="sha256=00ff, " + good,
        body=body,
        now=NOW,
        tolerance_seconds=300,
    )


@pytest.mark.parametrize(
    ("secret", "stamp", "body", "code"),
    [
        ("another-secret-entirely", STAMP, b"{}", "bad_signature"),
        ("s3cret-for-webhooks", STAMP, b'{"changed": true}', "bad_signature"),
        ("s3cret-for-webhooks", str(int(NOW.timestamp()) - 301), b"{}", "stale_timestamp"),
        ("s3cret-for-webhooks", str(int(NOW.timestamp()) + 301), b"{}", "stale_timestamp"),
        ("s3cret-for-webhooks", "yesterday", b"{}", "bad_timestamp"),
    ],
)
def test_forged_altered_or_stale_bodies_are_refused(
    secret: str, stamp: str, body: bytes, code: str
) -> None:
    signed = signature(secret, stamp, b"{}")
    with pytest.raises(WebhookAuthError) as refused:
        verify(
            "s3cret-for-webhooks",
            timestamp=stamp,
            signatures=signed,
            body=body,
            now=NOW,
            tolerance_seconds=300,
        )
    assert refused.value.code == code


def test_missing_headers_are_refused() -> None:
    with pytest.raises(WebhookAuthError) as refused:
        verify("k", timestamp=None, signatures="sha256=00", body=b"", now=NOW, tolerance_seconds=1)
    assert refused.value.code == "signature_missing"


# --- tokens, basic auth, source addresses, payload digests -------------------------------------


def test_a_token_must_match_exactly() -> None:
    verify_token("tok-3f9a1c77e2b04d5a", [None, "tok-3f9a1c77e2b04d5a"])  # header absent, query
    cases: list[tuple[list[str | None], str]] = [
        ([None, None], "token_missing"),
        ([""], "token_missing"),
        (["tok-3f9a1c77e2b04d5"], "bad_token"),  # a prefix is not the token
        (["TOK-3F9A1C77E2B04D5A"], "bad_token"),
        (["guess", "another"], "bad_token"),
    ]
    for offered, code in cases:
        with pytest.raises(WebhookAuthError) as refused:
            verify_token("tok-3f9a1c77e2b04d5a", offered)
        assert refused.value.code == code


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_credentials_must_name_the_user_and_the_password() -> None:
    verify_basic("vas-eg", "pa:ss-with-colon", basic("vas-eg", "pa:ss-with-colon"))
    verify_basic("vas-eg", "pa:ss-with-colon", "basic " + basic("vas-eg", "pa:ss-with-colon")[6:])
    for header, code in [
        (None, "credentials_missing"),
        ("Bearer abc", "credentials_missing"),
        ("Basic ", "credentials_missing"),
        ("Basic not-base64!", "bad_credentials"),
        ("Basic " + base64.b64encode(b"no-colon").decode(), "bad_credentials"),
        (basic("other", "pa:ss-with-colon"), "bad_credentials"),
        (basic("vas-eg", "pa:ss"), "bad_credentials"),
    ]:
        with pytest.raises(WebhookAuthError) as refused:
            verify_basic("vas-eg", "pa:ss-with-colon", header)
        assert refused.value.code == code


def test_the_client_address_is_the_one_our_gateway_appended() -> None:
    peer = "10.0.0.9"
    assert client_address([], peer, 0) == peer
    assert client_address(["41.33.10.7"], peer, 0) == peer  # no proxy trusted: the header is noise
    assert client_address(["41.33.10.7"], peer, 1) == "41.33.10.7"
    # A client's own X-Forwarded-For is to the left of what the gateway appended.
    assert client_address(["41.33.10.7, 196.219.4.4"], peer, 1) == "196.219.4.4"
    assert client_address(["41.33.10.7", "196.219.4.4, 10.0.0.2"], peer, 2) == "196.219.4.4"
    assert client_address([], peer, 1) == peer


def test_source_addresses_are_checked_against_the_allow_list() -> None:
    allowed = [ipaddress.ip_network("41.33.10.0/24"), ipaddress.ip_network("2c0f:fc88::/32")]
    assert address_allowed("41.33.10.7", allowed)
    assert address_allowed("::ffff:41.33.10.7", allowed)  # IPv4-mapped
    assert address_allowed("2c0f:fc88:1::5", allowed)
    assert not address_allowed("41.33.11.7", allowed)
    assert not address_allowed("unknown", allowed)
    assert not address_allowed(None, allowed)


def test_a_payload_digest_ignores_how_it_was_encoded() -> None:
    as_json = payload_digest("receipts", [{"SMSID": 880011, "Status": "DELIVRD"}])
    as_form = payload_digest("receipts", [{"Status": "DELIVRD", "SMSID": "880011"}])
    assert as_json == as_form
    assert payload_digest("inbound", [{"SMSID": "880011", "Status": "DELIVRD"}]) != as_json
    assert payload_digest("receipts", [{"SMSID": "880012", "Status": "DELIVRD"}]) != as_json


# --- OTP ciphertext --------------------------------------------------------------------------


def test_otp_codes_open_only_with_the_key_and_challenge() -> None:
    cipher = OtpCipher("shared-otp-delivery-key")
    for versioned in (True, False):
        sealed = cipher.encrypt("482913", "challenge-1", versioned=versioned)
        assert "482913" not in sealed
        assert cipher.decrypt(sealed, "challenge-1") == "482913"
        with pytest.raises(OtpDecryptionError):
            cipher.decrypt(sealed, "challenge-2")
        with pytest.raises(OtpDecryptionError):
            OtpCipher("another-key-entirely").decrypt(sealed, "challenge-1")
    with pytest.raises(OtpDecryptionError):
        cipher.decrypt("not base64 at all!", "challenge-1")
