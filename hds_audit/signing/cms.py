"""Detached CMS (PKCS#7) signatures: how manifest.json is signed and checked.

DER, SHA-256, signer certificate embedded, content detached: the shape that
`openssl cms -verify -binary -inform DER -in manifest.json.sig -content manifest.json -CAfile CERT`
accepts, so an auditor needs no hds-audit to check a report directory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

# Digests we accept in a signature we check; anything weaker is reported, not trusted.
_DIGESTS = {"sha256", "sha384", "sha512"}
CONTENT_MISMATCH = "content does not match the signed digest"


@dataclass(frozen=True)
class CmsResult:
    intact: bool
    """The signature verifies over the data with the certificate embedded in it."""
    signer_cert: Any
    """The embedded signer certificate (cryptography x509.Certificate), or None if unreadable."""
    trusted: bool
    """The signer certificate is a trust certificate, or chains up to one."""
    reason: str
    """Why not intact or not trusted; empty when both hold."""


def sign_detached(data: bytes, identity) -> bytes:
    """A DER detached SignedData over `data`, SHA-256, with the signer certificate included."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    builder = pkcs7.PKCS7SignatureBuilder().set_data(data)
    builder = builder.add_signer(identity.certificate, identity.private_key, hashes.SHA256())
    for extra in identity.chain:
        builder = builder.add_certificate(extra)
    # Binary: sign the bytes as they are; without it the data would be canonicalised as MIME
    # text (LF -> CRLF) and `openssl cms -verify -binary` would see a digest mismatch.
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    return builder.sign(Encoding.DER, options)


def load_trust_certificates(trust_pem: bytes | None) -> list:
    """Every certificate in a PEM (or DER) trust file; an auditor may pass a bundle."""
    from cryptography import x509

    if not trust_pem:
        return []
    if b"-----BEGIN" in trust_pem:
        return list(x509.load_pem_x509_certificates(trust_pem))
    return [x509.load_der_x509_certificate(trust_pem)]


def verify_detached(data: bytes, signature_der: bytes, trust_pem: bytes | None) -> CmsResult:
    """Check a detached signature. Never raises for bad input: the reason says what is wrong."""
    from cryptography import x509

    try:
        signed_data, signer_info, signer_asn1, others = _parse(signature_der)
        signer_cert = x509.load_der_x509_certificate(signer_asn1.dump())
        # asn1crypto parses lazily: read every part used below here, where a damaged one is caught
        md = signer_info["digest_algorithm"]["algorithm"].native
        content_type = signed_data["encap_content_info"]["content_type"].native
        embedded = signed_data["encap_content_info"]["content"].native
        chain_pool = [x509.load_der_x509_certificate(c.dump()) for c in others]
        for cert in (signer_cert, *chain_pool):  # cryptography parses names lazily too
            cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
        _consistent(signed_data, signer_info)
    except Exception as exc:  # asn1crypto raises many types on garbage; all mean "unreadable"
        return CmsResult(False, None, False, f"not a readable CMS signature ({_short(exc)})")

    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    if md not in _DIGESTS:
        return CmsResult(False, signer_cert, False, f"digest algorithm {md} is not accepted")
    if embedded is not None:
        return CmsResult(False, signer_cert, False, "signature is not detached (it embeds content)")
    try:
        digest_ok, sig_ok = validate_sig_integrity(
            signer_info, signer_asn1, content_type, hashlib.new(md, data).digest()
        )
    except Exception as exc:  # malformed attributes, unsupported algorithms
        return CmsResult(False, signer_cert, False, f"signature cannot be checked ({_short(exc)})")
    if not sig_ok:  # first: a changed signed attribute (its message digest) is the signature's fault
        return CmsResult(False, signer_cert, False, "signature value does not verify")
    if not digest_ok:
        return CmsResult(False, signer_cert, False, CONTENT_MISMATCH)

    try:
        anchors = load_trust_certificates(trust_pem)
    except Exception as exc:
        return CmsResult(True, signer_cert, False, f"trust certificate unreadable ({_short(exc)})")
    if not anchors:
        return CmsResult(True, signer_cert, False, "no trust certificate given")
    problem = path_problem(signer_cert, anchors, chain_pool)
    return CmsResult(True, signer_cert, not problem, problem)


def path_problem(cert, anchors: list, pool: list, moment=None) -> str:
    """Why `cert` is not a valid signer under one of `anchors` (through certificates of `pool`), or "".

    RFC 5280 path validation by pyhanko-certvalidator, the validator the PDF signature is checked
    with: names and signatures, and for every issuer basicConstraints cA and keyUsage keyCertSign,
    every certificate within its validity at `moment` (default now: without a timestamp nothing
    proves when the report was signed). Revocation is not fetched: verify runs offline. Then what
    `openssl cms -verify` asks of an S/MIME signer: a keyUsage that allows signing and an
    extendedKeyUsage that allows S/MIME, each when present.
    """
    import asyncio

    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError

    def asn1(c):
        return asn1_x509.Certificate.load(c.public_bytes(_der()))

    context = ValidationContext(trust_roots=[asn1(a) for a in anchors], allow_fetching=False, moment=moment)
    validator = CertificateValidator(asn1(cert), intermediate_certs=[asn1(c) for c in pool], validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except PathBuildingError:
        return "signer does not chain to the trust certificate"
    except Exception as exc:  # PathValidationError, InvalidCertificateError...: the validator says why
        return f"certificate path not valid: {_short(exc)}"
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    usage = _extension(cert, x509.KeyUsage)
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        return "signer certificate's keyUsage allows neither digitalSignature nor nonRepudiation"
    purposes = _extension(cert, x509.ExtendedKeyUsage)
    # as `openssl cms -verify` (purpose smimesign): an extendedKeyUsage, when present, must allow S/MIME
    if purposes is not None and not {ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE} & set(purposes):
        return "signer certificate's extendedKeyUsage allows neither emailProtection nor any purpose"
    return ""


def _extension(cert, kind):
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def fingerprint(cert) -> str:
    """SHA-256 of the certificate's DER, colon-separated as `openssl x509 -fingerprint -sha256` prints it."""
    from cryptography.hazmat.primitives import hashes

    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _parse(signature_der: bytes):
    from asn1crypto import cms
    from pyhanko.sign.general import extract_certificate_info, extract_signer_info

    info = cms.ContentInfo.load(signature_der, strict=True)
    if info["content_type"].native != "signed_data":
        raise ValueError(f"content type is {info['content_type'].native}, not signed_data")
    signed_data = info["content"]
    signer_info = extract_signer_info(signed_data)
    certs = extract_certificate_info(signed_data)
    return signed_data, signer_info, certs.signer_cert, certs.other_certs


def _consistent(signed_data, signer_info) -> None:
    """The unsigned parts of SignedData agree with the signer info (RFC 5652 §5.1, §5.3).

    They are outside the signature, so a changed byte there would otherwise go unnoticed: the
    versions follow the signer identifier, and `digestAlgorithms` is exactly the signer's.
    """
    sid = signer_info["sid"].name
    if signer_info["version"].native != ("v1" if sid == "issuer_and_serial_number" else "v3"):
        raise ValueError(f"signer info version {signer_info['version'].native} does not fit its {sid}")
    if signed_data["version"].native not in ("v1", "v3", "v4", "v5"):
        raise ValueError(f"SignedData version {signed_data['version'].native} is not a CMS version")
    declared = [a.dump() for a in signed_data["digest_algorithms"]]
    if declared != [signer_info["digest_algorithm"].dump()]:
        raise ValueError("digestAlgorithms does not list the signer's digest algorithm alone")


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
