"""PAdES signature of report.pdf, so a PDF reader shows who signed the report and that it is unchanged.

PAdES-B-B only: no timestamp server and no revocation fetching, because the tool must run offline
inside a healthcare network. The manifest signature covers the same file a second time.
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
    from asn1crypto import keys, x509 as asn1_x509
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

    # pyHanko adds the field, invisible: the visible statement is the report cover, drawn elsewhere.
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        # Writing the certificate's own validation data would need the network (OCSP/CRL).
        embed_validation_info=False,
        use_pades_lta=False,
    )
    out = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(data)), strict=False)
        signers.PdfSigner(meta, signer=pyhanko_signer(identity)).sign_pdf(writer, output=out)
    except SigningError:
        raise
    except Exception as exc:  # pyHanko raises PdfReadError, SigningError, ValueError, ...
        raise SigningError(f"cannot sign PDF {dst.name}: {exc}") from None
    # a crash mid-write must not leave a half-signed report that looks like the real one
    write_atomic(dst, out.getvalue())
