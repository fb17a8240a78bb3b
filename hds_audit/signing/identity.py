"""The signing identity: a key and its certificate, kept in a password-protected PKCS#12 file.

`keys init` makes a self-signed identity so the tool can be tried without a PKI. The same certificate
is its own trust anchor, so an auditor given `signer.pem` can run `verify --trust signer.pem`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hds_audit.signing import SigningError

PASSWORD_ENV = "HDS_AUDIT_KEY_PASSWORD"
P12_NAME = "signer.p12"
PEM_NAME = "signer.pem"
VALIDITY_DAYS = 3 * 365 + 1  # three years, a leap day included
_DEMO_WORD = re.compile(r"\bDEMO\b")


@dataclass(frozen=True)
class Identity:
    """A loaded signing identity. `chain` holds any other certificates the PKCS#12 carried."""

    private_key: Any  # cryptography EllipticCurvePrivateKey or RSAPrivateKey
    certificate: Any  # cryptography x509.Certificate
    path: Path
    chain: list = field(default_factory=list)
    tsa_url: str | None = None
    """RFC 3161 timestamp authority the PDF signatures ask for a timestamp (`--tsa URL`), or None."""

    @property
    def is_demo(self) -> bool:
        """True when the subject says DEMO: the report cover must then say it is not a real signature."""
        return is_demo_certificate(self.certificate)

    @property
    def certificate_pem(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.certificate.public_bytes(Encoding.PEM)


def subject_text(certificate) -> str:
    """CN and O of a certificate's subject, joined, for display and the demo test."""
    from cryptography.x509.oid import NameOID

    parts = []
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        parts += [str(a.value) for a in certificate.subject.get_attributes_for_oid(oid)]
    return ", ".join(parts)


def is_demo_certificate(certificate) -> bool:
    """The throwaway certificate `run` makes when no --key is given: DEMO as a word in its CN or O."""
    return _DEMO_WORD.search(subject_text(certificate)) is not None


def password_from_env(variable: str = PASSWORD_ENV, confirm: bool = False) -> bytes:
    """The key password from the environment: it is never taken from a flag, so it stays out of shell history.
    Unset on a terminal, it is asked for without echo (twice with `confirm`, for a new key)."""
    value = os.environ.get(variable)
    if not value and sys.stdin is not None and sys.stdin.isatty():
        import click

        value = click.prompt(f"Key password ({variable} is not set)", hide_input=True, confirmation_prompt=confirm, default="",
                             show_default=False)
    if not value:
        raise SigningError(
            f"the signing key password is not set: set the environment variable {variable}"
        )
    return value.encode("utf-8")


def init_identity(
    directory: Path, password: bytes, common_name: str = "hds-audit signer", demo: bool = False,
    organisation: str | None = "hds-audit",
) -> Identity:
    """Create an EC P-256 key and a self-signed certificate; write signer.p12 and signer.pem."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    directory = Path(directory)
    p12_path, pem_path = directory / P12_NAME, directory / PEM_NAME
    existing = [str(p) for p in (p12_path, pem_path) if p.exists()]
    if existing:
        # An overwritten key would orphan every report it signed: refuse, and say which files.
        raise SigningError(f"refusing to overwrite existing signing files: {', '.join(existing)}")
    if not password:
        raise SigningError(f"an empty key password cannot protect {p12_path}: set {PASSWORD_ENV}")

    key, cert = _new_key_and_certificate(common_name, demo, organisation)
    p12 = pkcs12.serialize_key_and_certificates(
        name=str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value).encode("utf-8"),
        key=key,
        cert=cert,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )
    directory.mkdir(parents=True, exist_ok=True)
    _write_new(p12_path, p12, mode=0o600)  # the key file is readable by its owner only
    _write_new(pem_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return Identity(private_key=key, certificate=cert, path=p12_path, chain=[])


def demo_identity(common_name: str = "hds-audit DEMO signer") -> Identity:
    """A throwaway DEMO identity in memory only: no key file, nothing left in the temporary folder.

    Its key dies with the process; the reports carry its certificate (signer.pem), and the command
    prints its fingerprint, which `verify` prints too.
    """
    key, cert = _new_key_and_certificate(common_name, demo=True)
    return Identity(private_key=key, certificate=cert, path=Path("(in memory)"), chain=[])


def _new_key_and_certificate(common_name: str, demo: bool, organisation: str | None = "hds-audit"):
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    if demo:
        # reports print the subject (CN, O) as the signer: say DEMO once, in the CN, and no O to repeat it
        if not _DEMO_WORD.search(common_name):
            common_name = f"{common_name} DEMO"
        common_name, organisation = f"{common_name} (not for real audits)", None
    return key, _self_signed_certificate(key, common_name, organisation)


def _self_signed_certificate(key, common_name: str, organisation: str | None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    name = x509.Name(attributes)
    # Backdate a little so a verifier whose clock lags by minutes still accepts a fresh identity.
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=VALIDITY_DAYS))
        # CA=true lets the certificate be its own trust anchor (openssl -CAfile, verify --trust).
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        # digitalSignature + contentCommitment: what PAdES validators and OpenSSL's smime_sign
        # purpose ask of a signer; keyCertSign: what OpenSSL asks of a CA. No extended key usage:
        # any EKU would have to list emailProtection for `openssl cms -verify` without -purpose.
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    # O_EXCL closes the gap between the existence check and the write.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise SigningError(f"refusing to overwrite existing signing file: {path}") from None
    except OSError as exc:
        raise SigningError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def load_identity(p12_path: Path, password: bytes) -> Identity:
    """Open a PKCS#12 identity; every failure is a SigningError naming the file and the reason."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    p12_path = Path(p12_path)
    try:
        data = p12_path.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"signing identity not found: {p12_path} (create one with `hds-audit keys init`)") from None
    except OSError as exc:
        raise SigningError(f"cannot read signing identity {p12_path}: {exc.strerror}") from None

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except Exception:  # cryptography says ValueError for both causes; tell them apart below
        reason = "wrong password" if _looks_like_pkcs12(data) else "not a PKCS#12 file, or damaged"
        raise SigningError(f"cannot open signing identity {p12_path}: {reason}") from None
    if key is None or cert is None:
        raise SigningError(f"signing identity {p12_path} lacks a private key or a certificate")
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise SigningError(f"signing identity {p12_path}: unsupported key type {type(key).__name__}")
    now = dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= now < cert.not_valid_after_utc:
        # Signing with an expired certificate would give reports that never verify.
        raise SigningError(
            f"the certificate in {p12_path} is not valid now "
            f"(valid {cert.not_valid_before_utc.isoformat()} to {cert.not_valid_after_utc.isoformat()})"
        )
    return Identity(private_key=key, certificate=cert, path=p12_path, chain=list(extra or []))


def _looks_like_pkcs12(data: bytes) -> bool:
    """Whether the bytes parse as a PKCS#12 PFX, so a failed open is the password, not the file."""
    try:
        from asn1crypto import pkcs12 as asn1_pkcs12

        pfx = asn1_pkcs12.Pfx.load(data)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
    except Exception:
        return False
