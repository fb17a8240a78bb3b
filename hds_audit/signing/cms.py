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
_MAX_CHAIN = 8
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
    if not chains_to(signer_cert, anchors, chain_pool):
        return CmsResult(True, signer_cert, False, "signer does not chain to the trust certificate")
    expired = validity_problem(signer_cert)
    if expired:
        return CmsResult(True, signer_cert, False, expired)
    return CmsResult(True, signer_cert, True, "")


def validity_problem(cert) -> str:
    """Why the certificate is not valid now, or "".

    No timestamp proves when a report was signed, so, like pyHanko for the PDF, we judge the
    certificate at verification time: a report whose certificate has expired is intact but untrusted.
    """
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc)
    if now < cert.not_valid_before_utc:
        return f"signer certificate not valid before {cert.not_valid_before_utc.isoformat()}"
    if now >= cert.not_valid_after_utc:
        return f"signer certificate expired on {cert.not_valid_after_utc.isoformat()}"
    return ""


def chains_to(cert, anchors: list, pool: list) -> bool:
    """True if `cert` is an anchor, or is issued by one, possibly through certificates in `pool`.

    Names and signatures only; dates are judged by `validity_problem`.
    """
    current = cert
    for _ in range(_MAX_CHAIN):
        if any(current == a for a in anchors):
            return True
        if any(_issued_by(current, a) for a in anchors):
            return True
        parents = [c for c in pool if c != current and _issued_by(current, c)]
        if not parents:
            return False
        current = parents[0]
    return False


def _issued_by(cert, issuer) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except Exception:  # wrong name, wrong key, unsupported algorithm: not issued by it
        return False


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
