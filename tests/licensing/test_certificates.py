"""Signed certificates: sign, print as a QR, read it back with zbar, verify with the JWKS only."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import cbor2
import pytest
import segno
from base45 import b45decode, b45encode  # type: ignore[import-untyped]

from licensing_service.certificates.fields import Certificate
from licensing_service.certificates.keys import (
    BadJwks,
    Keyring,
    SigningKey,
    VerificationKeys,
    b64url,
)
from licensing_service.certificates.qr import (
    PREFIX,
    BadBase45,
    BadCbor,
    BadPrefix,
    BadSignature,
    CertificateExpired,
    CertificateRefused,
    CertificateRevoked,
    UnknownKey,
    check_not_revoked,
    sign,
    verify,
)
from licensing_service.domain.cases import Procedure
from licensing_service.domain.numbers import licence_number, permit_number

TODAY = date(2026, 6, 1)
SHOP = Certificate(
    number=licence_number("21", 2026, 4217),
    procedure=Procedure.SHOP_TEMPORARY,
    holder="محمد عبد الرحمن السيد إبراهيم",
    subject="مخبز بلدي — ١٢ شارع الهرم، العمرانية، الجيزة",
    centre="21-03-F01",
    issued_on=date(2026, 3, 1),
    valid_until=date(2031, 2, 28),
)
PERMIT = Certificate(
    number=permit_number("01", 2026, 15),
    procedure=Procedure.BUILDING_PERMIT,
    holder="شركة النيل للمقاولات",
    subject="قطعة ٤٥ بلوك ٣ — التجمع الخامس، القاهرة الجديدة",
    centre="01-12-F02",
    issued_on=date(2026, 4, 6),
    valid_until=date(2027, 4, 5),
    deemed=True,
)


@pytest.fixture(scope="module")
def keyring() -> Keyring:
    return Keyring(SigningKey.generate())


def published(keyring: Keyring) -> dict[str, object]:
    """The JWKS as a verifier downloads it: JSON text, public keys only."""
    text = json.dumps(keyring.jwks())
    assert '"d"' not in text
    loaded: dict[str, object] = json.loads(text)
    return loaded


def read_qr(text: str, tmp_path: Path) -> str:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg is not installed: apt-get install zbar-tools (make test-packages)")
    picture = io.BytesIO()
    segno.make(text, error="m", micro=False).save(picture, kind="png", scale=4, border=4)
    path = tmp_path / "certificate-qr.png"
    path.write_bytes(picture.getvalue())
    result = subprocess.run(
        [zbarimg, "--raw", "-q", str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def cose_of(text: str) -> list[bytes]:
    message = cbor2.loads(zlib.decompress(b45decode(text.removeprefix(PREFIX))))
    parts: list[bytes] = message.value
    return parts


def text_of(parts: list[object]) -> str:
    cose = cbor2.dumps(cbor2.CBORTag(18, parts))
    encoded: bytes = b45encode(zlib.compress(cose, 9))
    return PREFIX + encoded.decode("ascii")


@pytest.mark.parametrize("certificate", [SHOP, PERMIT])
def test_a_printed_qr_verifies_with_only_the_public_jwks(
    certificate: Certificate, keyring: Keyring, tmp_path: Path
) -> None:
    text = sign(certificate, keyring.current)
    assert text.startswith("MHL1:")
    scanned = read_qr(text, tmp_path)
    assert scanned == text
    verified = verify(scanned, published(keyring), TODAY)
    assert verified.certificate == certificate
    assert verified.kid == b64url(keyring.current.kid)


def test_the_qr_fits_version_12_at_error_correction_m(keyring: Keyring) -> None:
    for certificate in (SHOP, PERMIT):
        code = segno.make(sign(certificate, keyring.current), error="m", micro=False)
        assert code.mode == "alphanumeric"
        assert isinstance(code.version, int)
        assert code.version <= 12


def test_an_uncompressed_certificate_verifies_too(keyring: Keyring) -> None:
    text = sign(SHOP, keyring.current, compress=False)
    assert verify(text, published(keyring), TODAY).certificate == SHOP


def test_a_tampered_payload_is_refused(keyring: Keyring) -> None:
    protected, unprotected, _payload, signature = cose_of(sign(SHOP, keyring.current))
    forged = cbor2.dumps({**cbor2.loads(_payload), 7: (date(2040, 1, 1) - date(1970, 1, 1)).days})
    with pytest.raises(BadSignature):
        verify(text_of([protected, unprotected, forged, signature]), published(keyring), TODAY)


def test_a_changed_character_is_refused(keyring: Keyring) -> None:
    text = sign(SHOP, keyring.current)
    middle = len(text) // 2
    changed = text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1 :]
    with pytest.raises(CertificateRefused):
        verify(changed, published(keyring), TODAY)


class ClaimingSigner:
    """A signer that claims another key's id: a forger who knows the published kid."""

    def __init__(self, key: SigningKey, kid: bytes) -> None:
        self.key, self.kid = key, kid

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message)


def test_a_signature_by_another_key_under_our_kid_is_refused(keyring: Keyring) -> None:
    forger = ClaimingSigner(SigningKey.generate(), keyring.current.kid)
    with pytest.raises(BadSignature):
        verify(sign(SHOP, forger), published(keyring), TODAY)


def test_a_key_that_is_not_published_is_unknown(keyring: Keyring) -> None:
    with pytest.raises(UnknownKey):
        verify(sign(SHOP, SigningKey.generate()), published(keyring), TODAY)


def test_rotation_keeps_old_certificates_valid_and_withdrawal_ends_them() -> None:
    old = Keyring(SigningKey.generate())
    text = sign(SHOP, old.current)
    rotated = old.rotate(SigningKey.generate())
    assert len(rotated.jwks()["keys"]) == 2
    assert verify(text, published(rotated), TODAY).certificate == SHOP
    assert verify(sign(PERMIT, rotated.current), published(rotated), TODAY).certificate == PERMIT
    withdrawn = rotated.withdraw(old.current.kid)
    with pytest.raises(UnknownKey):
        verify(text, published(withdrawn), TODAY)
    with pytest.raises(ValueError, match="rotate"):
        withdrawn.withdraw(withdrawn.current.kid)


def test_expired_by_its_validity_the_day_after_the_last_valid_day(keyring: Keyring) -> None:
    text = sign(PERMIT, keyring.current)
    assert verify(text, published(keyring), date(2027, 4, 5)).certificate == PERMIT
    with pytest.raises(CertificateExpired) as expired:
        verify(text, published(keyring), date(2027, 4, 6))
    assert expired.value.certificate == PERMIT
    endless = replace(PERMIT, valid_until=None)
    assert verify(sign(endless, keyring.current), published(keyring), date(2099, 1, 1))


def test_a_revoked_number_is_refused(keyring: Keyring) -> None:
    verified = verify(sign(SHOP, keyring.current), published(keyring), TODAY)
    check_not_revoked(verified, {str(PERMIT.number)})
    with pytest.raises(CertificateRevoked) as revoked:
        check_not_revoked(verified, {str(SHOP.number)})
    assert revoked.value.code == "revoked"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("HC1:NCFOXN%TS3DH", BadPrefix),
        ("mhl1:6BFOXN", BadPrefix),
        ("MHL1:6BF~", BadBase45),
        ("MHL1:6BFO", BadBase45),  # a length no base45 text has
        ("MHL1:GGW", BadBase45),  # a triple over 0xFFFF
        ("MHL1:" + b45encode(b"\xff\xff").decode(), BadCbor),
        ("MHL1:" + b45encode(cbor2.dumps([1, 2, 3])).decode(), BadCbor),
        (
            "MHL1:" + b45encode(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"", b""]))).decode(),
            BadCbor,
        ),
        ("MHL1:" + b45encode(zlib.compress(bytes(100_000))).decode(), BadCbor),
        ("MHL1:" + b45encode(b"\x78\x9c\x00").decode(), BadCbor),
    ],
)
def test_broken_texts_are_refused_with_their_reason(
    text: str, error: type[CertificateRefused], keyring: Keyring
) -> None:
    with pytest.raises(error):
        verify(text, published(keyring), TODAY)


def test_a_signed_payload_that_is_not_a_certificate_is_refused(keyring: Keyring) -> None:
    protected = cbor2.dumps({1: -8, 4: keyring.current.kid})
    payload = cbor2.dumps({1: "not a number"})
    structure = cbor2.dumps(["Signature1", protected, b"", payload])
    text = text_of([protected, {}, payload, keyring.current.sign(structure)])
    with pytest.raises(BadCbor):
        verify(text, published(keyring), TODAY)


def test_a_jwks_whose_kid_is_not_the_thumbprint_is_refused(keyring: Keyring) -> None:
    jwks = keyring.jwks()
    jwks["keys"][0]["kid"] = "AAAAAAAAAAA"
    with pytest.raises(BadJwks):
        VerificationKeys.from_jwks(jwks)
    with pytest.raises(BadJwks):
        VerificationKeys.from_jwks({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "kid": "b"}]})


def test_the_kid_is_the_rfc7638_thumbprint_of_the_key() -> None:
    # RFC 8037 appendix A.3: this key's thumbprint is kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k.
    key = SigningKey.from_seed(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    assert b64url(key.kid) == "kPrK_qmxVWY"
