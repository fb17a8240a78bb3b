"""PAdES signature of report.pdf, so a PDF reader shows who signed the report and that it is unchanged.

PAdES-B-B by default: no timestamp server and no revocation fetching, because the tool must run
offline inside a healthcare network. With `--tsa URL` (Identity.tsa_url) the signature carries an
RFC 3161 timestamp of the authority (PAdES-B-T), which proves when it was made, and the
certificates and any revocation data of the signer's chain (PAdES-B-LT, pyHanko's document
security store), so it can be checked after the certificate expires. The manifest signature
covers the same file a second time.
"""

from __future__ import annotations

import io
from pathlib import Path

from hds_audit.outdir import write_atomic
from hds_audit.signing import SigningError

FIELD_NAME = "hds-audit"


def pyhanko_signer(identity):
    """A pyHanko SimpleSigner built from an already loaded Identity.

    Building it from the objects (not `SimpleSigner.load_pkcs12`) avoids a second password use and
    that loader's habit of returning None instead of saying what went wrong.
    """
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    cert = asn1_x509.Certificate.load(identity.certificate.public_bytes(der))
    key = keys.PrivateKeyInfo.load(
        identity.private_key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in identity.chain]
    registry = SimpleCertificateStore.from_certs([cert, *chain])
    return SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=registry)


def sign_pdf(
    src: Path | bytes,
    dst: Path,
    identity,
    reason: str = "hds-audit report",
    location: str | None = None,
) -> None:
    """Sign `src` (a path or the PDF bytes) into `dst` with an incremental update; src may be dst."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    dst = Path(dst)
    try:
        data = src if isinstance(src, (bytes, bytearray)) else Path(src).read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read PDF to sign {src}: {exc.strerror}") from None

    tsa = getattr(identity, "tsa_url", None)
    # pyHanko adds the field, invisible: the visible statement is the report cover, drawn elsewhere.
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        # Validation data (B-LT) only with a timestamp authority: its network is then there anyway.
        embed_validation_info=bool(tsa),
        validation_context=_validation_context(identity) if tsa else None,
        use_pades_lta=False,
    )
    out = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(data)), strict=False)
        signers.PdfSigner(meta, signer=pyhanko_signer(identity), timestamper=_timestamper(tsa)).sign_pdf(writer, output=out)
    except SigningError:
        raise
    except Exception as exc:  # pyHanko raises PdfReadError, SigningError, ValueError, ...
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError

        if isinstance(exc, TimestampRequestError):
            raise SigningError(f"cannot sign PDF {dst.name}: the timestamp authority {tsa} gave no timestamp ({exc})") from None
        raise SigningError(f"cannot sign PDF {dst.name}: {exc}") from None
    # a crash mid-write must not leave a half-signed report that looks like the real one
    write_atomic(dst, out.getvalue())


TSA_TIMEOUT = 10  # seconds per timestamp request: a TSA that does not answer fails the signature, named


def _timestamper(url: str | None):
    if not url:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=TSA_TIMEOUT)


def _validation_context(identity):
    """The signer's chain up to its last certificate, revocation data fetched where the chain names any."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko_certvalidator import ValidationContext

    chain = [identity.certificate, *identity.chain]
    roots = [asn1_x509.Certificate.load(chain[-1].public_bytes(Encoding.DER))]
    # soft-fail: a private or self-signed chain publishes no revocation data; B-LT then embeds the certificates alone
    return ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="soft-fail")
