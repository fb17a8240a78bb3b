"""A small private PKI for the signing tests: a CA, certificates it issues, identities built from them.

Built with cryptography's CertificateBuilder; every name is invented.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hds_audit.signing.identity import Identity

NOW = dt.datetime.now(dt.UTC)


def certificate(name: str, key, issuer=None, issuer_key=None, ca: bool = False, sign_certs: bool | None = None,
                sign_data: bool = True, not_before=None, not_after=None):
    """A certificate for `key`, issued by (issuer, issuer_key), else self-signed."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Exemple PKI")])
    sign_certs = ca if sign_certs is None else sign_certs
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=sign_data, content_commitment=sign_data, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=sign_certs,
                                     crl_sign=sign_certs, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    signer_key = issuer_key if issuer_key is not None else key
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False)
    return builder.sign(signer_key, hashes.SHA256())


def key():
    return ec.generate_private_key(ec.SECP256R1())


def identity(cert, private_key, chain=(), path="unused.p12") -> Identity:
    from pathlib import Path

    return Identity(private_key=private_key, certificate=cert, path=Path(path), chain=list(chain))


def pem(*certs) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return b"".join(c.public_bytes(Encoding.PEM) for c in certs)


def tsa_certificate(key, issuer, issuer_key):
    """A timestamp authority's certificate: extendedKeyUsage timeStamping, critical (RFC 3161 §2.3)."""
    from cryptography.x509.oid import ExtendedKeyUsageOID

    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Exemple Timestamp Authority")])
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def tenant_pki(folder):
    """A root CA, the tenant's signer it issues, and the CA file (in `folder`) an auditor is given."""
    ca_key = key()
    root = certificate("Exemple Root CA", ca_key, ca=True)
    signer_key = key()
    signer = certificate("Centre Hospitalier Exemple signer", signer_key, root, ca_key)
    trust = folder / "ca.pem"
    trust.write_bytes(pem(root))
    return {"root": root, "key": ca_key, "signer": signer, "signer_key": signer_key, "trust": trust}
