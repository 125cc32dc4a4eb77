"""The certificate's signed QR text: ``MHL1:`` + base45(zlib(COSE_Sign1)), and its verification.

As the EU digital COVID certificates: a tagged COSE_Sign1 (RFC 9052) whose protected header
holds the algorithm (EdDSA, -8) and the key id (header 4, 8 bytes), an empty unprotected
header, the CBOR map of :mod:`.fields` as payload and the Ed25519 signature over the
``Signature1`` structure; zlib-compressed, base45 (RFC 9285) so it fits the QR alphanumeric
mode, behind a prefix that says whose and which version it is. Verification reads an
uncompressed one too (zlib is told by its first byte, COSE's tag 18 starts 0xD2).
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import cbor2
from base45 import b45decode, b45encode  # type: ignore[import-untyped]

from licensing_service.certificates.fields import (
    BadContent,
    Certificate,
    from_cbor_map,
    to_cbor_map,
)
from licensing_service.certificates.keys import CertificateSigner, VerificationKeys, b64url

PREFIX = "MHL1:"
COSE_SIGN1_TAG = 18
ALG, KID, EDDSA = 1, 4, -8
_MAX_PAYLOAD = 4096  # no real certificate comes near; refuses a zlib bomb


class CertificateRefused(Exception):
    """Why a QR is not a valid certificate; ``code`` is stable for pages and APIs."""

    code = "refused"


class BadPrefix(CertificateRefused):
    code = "bad_prefix"


class BadBase45(CertificateRefused):
    code = "bad_base45"


class BadCbor(CertificateRefused):
    code = "bad_cbor"


class UnknownKey(CertificateRefused):
    code = "unknown_key"


class BadSignature(CertificateRefused):
    code = "bad_signature"


class CertificateExpired(CertificateRefused):
    code = "expired"

    def __init__(self, certificate: Certificate) -> None:
        super().__init__(f"{certificate.number} expired after {certificate.valid_until}")
        self.certificate = certificate


class CertificateRevoked(CertificateRefused):
    code = "revoked"

    def __init__(self, certificate: Certificate) -> None:
        super().__init__(f"{certificate.number} is revoked")
        self.certificate = certificate


@dataclass(frozen=True, slots=True)
class VerifiedCertificate:
    certificate: Certificate
    kid: str  # base64url, as in the JWKS


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign(certificate: Certificate, signer: CertificateSigner, compress: bool = True) -> str:
    """The QR text of ``certificate`` signed by ``signer``."""
    protected = cbor2.dumps({ALG: EDDSA, KID: signer.kid})
    payload = cbor2.dumps(to_cbor_map(certificate))
    signature = signer.sign(_sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    body = zlib.compress(cose, 9) if compress else cose
    encoded: bytes = b45encode(body)
    return PREFIX + encoded.decode("ascii")


def verify(
    text: str, jwks: Mapping[str, Any] | VerificationKeys, today: date
) -> VerifiedCertificate:
    """The certificate in a QR's ``text``, checked against the published keys only.

    Raises a :class:`CertificateRefused`: bad prefix, bad base45, bad CBOR (or not a
    certificate), unknown key id, bad signature, or expired by its ``valid_until``.
    """
    keys = jwks if isinstance(jwks, VerificationKeys) else VerificationKeys.from_jwks(jwks)
    if not text.startswith(PREFIX):
        raise BadPrefix("not a Mahaliyat certificate")
    try:
        body: bytes = b45decode(text[len(PREFIX) :])
    except (ValueError, KeyError, TypeError) as error:
        raise BadBase45("the QR text is not base45") from error
    protected, kid, payload, signature = _cose_parts(_inflate(body))
    checked = keys.verify(kid, signature, _sig_structure(protected, payload))
    if checked is None:
        raise UnknownKey(f"key {b64url(kid)} is not published")
    if not checked:
        raise BadSignature("the signature does not match")
    try:
        certificate = from_cbor_map(cbor2.loads(payload))
    except (cbor2.CBORDecodeError, BadContent) as error:
        raise BadCbor("the signed payload is not a certificate") from error
    if certificate.is_expired_on(today):
        raise CertificateExpired(certificate)
    return VerifiedCertificate(certificate, b64url(kid))


def check_not_revoked(verified: VerifiedCertificate, revoked: Collection[str]) -> None:
    """Refuses a certificate whose number is on the revocation list."""
    if str(verified.certificate.number) in revoked:
        raise CertificateRevoked(verified.certificate)


def _inflate(body: bytes) -> bytes:
    if not body.startswith(b"\x78"):
        return body
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(body, _MAX_PAYLOAD)
    except zlib.error as error:
        raise BadCbor("the compressed payload is damaged") from error
    if inflater.unconsumed_tail or not inflater.eof:
        raise BadCbor("the compressed payload is too long or cut short")
    return data


def _cose_parts(cose: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    try:
        message = cbor2.loads(cose)
    except (cbor2.CBORDecodeError, ValueError) as error:
        raise BadCbor("not CBOR") from error
    if not (isinstance(message, cbor2.CBORTag) and message.tag == COSE_SIGN1_TAG):
        raise BadCbor("not a tagged COSE_Sign1")
    parts = message.value
    if not (isinstance(parts, list | tuple) and len(parts) == 4):
        raise BadCbor("a COSE_Sign1 has four parts")
    protected, _unprotected, payload, signature = parts
    if not all(isinstance(p, bytes) for p in (protected, payload, signature)):
        raise BadCbor("the COSE_Sign1 parts are byte strings")
    try:
        header = cbor2.loads(protected)
    except (cbor2.CBORDecodeError, ValueError) as error:
        raise BadCbor("the protected header is not CBOR") from error
    if not isinstance(header, dict) or header.get(ALG) != EDDSA:
        raise BadCbor("the protected header must say EdDSA")
    kid = header.get(KID)
    if not isinstance(kid, bytes):
        raise BadCbor("the protected header must carry the key id")
    return protected, kid, payload, signature
