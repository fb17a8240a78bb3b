"""`hds-audit verify DIR [--trust CERT]`: is this report directory what the signer produced?

Exit status (docs/user-guide.md "Verifying a report without hds-audit"): OK when everything is
intact and the signer chains to --trust; FAILED when anything is altered, missing, extra or
unsigned; UNTRUSTED when intact but the signer is not trusted. Bad input never raises: each
problem names its file and the reason.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hds_audit.exitcodes import ExitCode
from hds_audit.signing.manifest import MANIFEST_NAME, SCHEMA, SIGNATURE_NAME, SNAPSHOT_DIR, irregular_entries, list_files, sha256_file

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# What a folder must hold whatever its manifest lists: a re-sealed manifest that leaves out the PDF
# would otherwise make a folder without its PAdES report pass. A run's reports (the user guide's
# "What a run writes"), or each proof's PDF beside its JSON.
RUN_REPORTS = ("junit.xml", "report.html", "report.pdf", "report.xlsx", "results.json", "signer.pem")
PROOF_SUFFIX = "-proof.json"


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str
    untrusted: bool = False
    """True when the file is intact but its signer is not trusted (exit 3, not 1)."""

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class VerifyOutcome:
    problems: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    signer: str = ""
    """Subject of the manifest signer (CN, O), for the verify message."""
    fingerprint: str = ""
    """SHA-256 fingerprint of the manifest signer's certificate, to compare out of band."""
    is_demo: bool = False
    usable: bool = True
    notes: list[str] = field(default_factory=list)
    """Facts verify states beside its verdict (who signed each imported review)."""
    evidence_listed: list[str] = field(default_factory=list)
    """Paths of the manifest's `evidence` list, from the very bytes whose signature was checked."""

    @property
    def status(self) -> ExitCode:
        if not self.usable:
            return ExitCode.UNUSABLE
        if any(not p.untrusted for p in self.problems):
            return ExitCode.FAILED
        return ExitCode.UNTRUSTED if self.problems else ExitCode.OK

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def distrust(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason, untrusted=True))


def verify_report_dir(out_dir: Path, trust: Path | bytes | None, reviewer_trust: Path | None = None) -> VerifyOutcome:
    """`trust`: a certificate file, or its PEM bytes (`review import` trusts the --key's own certificate)."""
    from hds_audit.signing.cms import CONTENT_MISMATCH, fingerprint, verify_detached
    from hds_audit.signing.identity import is_demo_certificate, subject_text

    out = VerifyOutcome()
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        out.usable = False
        out.fail(str(out_dir), "not a directory")
        return out
    trust_pem = trust if isinstance(trust, bytes) else _trust_bytes(out, trust)
    reviewer_pem = _trust_bytes(out, reviewer_trust)
    if not out.usable:
        return out

    # 1. The manifest and its signature.
    manifest_data = _read(out, out_dir, MANIFEST_NAME, "missing: nothing can be checked")
    sig_data = _read(out, out_dir, SIGNATURE_NAME, "missing: the manifest is unsigned")
    manifest_signer = None
    if manifest_data is not None and sig_data is not None:
        result = verify_detached(manifest_data, sig_data, trust_pem)
        manifest_signer = result.signer_cert
        if manifest_signer is not None:
            out.signer = subject_text(manifest_signer)
            out.fingerprint = fingerprint(manifest_signer)
            out.is_demo = is_demo_certificate(manifest_signer)
        if not result.intact:
            where = MANIFEST_NAME if result.reason == CONTENT_MISMATCH else SIGNATURE_NAME
            out.fail(where, f"signature check failed: {result.reason}")
        elif not result.trusted:
            out.distrust(SIGNATURE_NAME, f"signer not trusted: {result.reason}")

    # 2. Every listed file, and nothing else.
    listed = _listed_files(out, manifest_data) if manifest_data is not None else None
    irregular = irregular_entries(out_dir)
    for rel, why in sorted(irregular.items()):
        out.fail(rel, why)
    present = set(list_files(out_dir)) - set(irregular)
    for rel, entry in sorted((listed or {}).items()):
        path = out_dir / rel
        if rel in irregular:
            continue
        if rel not in present:
            out.fail(rel, "missing (listed in the manifest)")
            continue
        try:
            sha, size = sha256_file(path)
        except OSError as exc:
            out.fail(rel, f"unreadable ({exc.strerror})")
            continue
        if sha != entry["sha256"]:
            out.fail(rel, f"altered: sha256 {sha}, manifest says {entry['sha256']}")
        elif "size" in entry and size != entry["size"]:
            out.fail(rel, f"altered: {size} bytes, manifest says {entry['size']}")
        out.checked.append(rel)
    if listed is not None:  # without a readable list, "extra" would just repeat "manifest unreadable"
        for rel in sorted(present - set(listed)):
            out.fail(rel, "extra file, not listed in the signed manifest")
        _check_snapshot(out, listed, manifest_data)
        promised = promised_files(listed)
        if promised is None:
            out.fail(MANIFEST_NAME, "lists neither a run's results.json nor a proof: not an hds-audit report folder")
        for rel in sorted(set(promised or ()) - set(listed)):
            out.fail(rel, "missing: every report folder of its kind holds it, but the signed manifest does not list it")

    # 3. The auditor's reviews (review/): each record against its workbook and signature, the verdicts against the records.
    from hds_audit.signing.review_record import check_records

    check_records(out, out_dir, present & set(listed or {}), reviewer_pem)

    # 4. The PAdES signature of each report PDF (top level: snapshot PDFs are evidence, not ours).
    for rel in sorted(p for p in present if "/" not in p and p.lower().endswith(".pdf")):
        _check_pdf(out, out_dir / rel, rel, trust_pem, manifest_signer)
    return out


def _check_snapshot(out: VerifyOutcome, listed: dict[str, dict], manifest_data: bytes) -> None:
    """The evidence/ snapshot holds the very bytes the signed evidence list says were read, and nothing else."""
    evidence = json.loads(manifest_data.decode("utf-8")).get("evidence")
    # keyed as the path is written on disk (`a//b` is the file a/b)
    hashes = {PurePosixPath(e["path"]).as_posix(): e.get("sha256") for e in evidence if isinstance(e, dict) and isinstance(e.get("path"), str)} \
        if isinstance(evidence, list) else {}
    prefix = SNAPSHOT_DIR + "/"
    for rel, entry in sorted(listed.items()):
        if not rel.startswith(prefix):
            continue
        read = rel.removeprefix(prefix)
        if read not in hashes:
            out.fail(rel, "in the evidence/ snapshot but not in the signed evidence list: not what the results were drawn from")
        elif hashes[read] != entry["sha256"]:
            out.fail(rel, f"differs from the evidence read: sha256 {entry['sha256']}, the evidence list says {hashes[read]}")


def _trust_bytes(out: VerifyOutcome, trust: Path | None) -> bytes | None:
    from hds_audit.signing.cms import load_trust_certificates

    if trust is None:
        return None
    try:
        data = Path(trust).read_bytes()
        if load_trust_certificates(data):
            return data
        reason = "holds no certificate"
    except Exception as exc:  # missing file, not a certificate: the caller's input is unusable
        reason = f"trust certificate unreadable ({type(exc).__name__}: {exc})"
    out.usable = False
    out.fail(str(trust), reason)
    return None


def promised_files(listed) -> tuple[str, ...] | None:
    """The files the folder must hold, judged by what it is (a run, a proof); None when it is neither."""
    names = set(listed)
    if "results.json" in names:
        return RUN_REPORTS
    proofs = sorted(n for n in names if "/" not in n and n.endswith(PROOF_SUFFIX))
    if proofs:
        return tuple(n.removesuffix(".json") + ".pdf" for n in proofs) + ("signer.pem",)
    return None


def _read(out: VerifyOutcome, out_dir: Path, name: str, missing: str) -> bytes | None:
    path = out_dir / name
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return None  # a link or a FIFO in its place: named by irregular_entries, never opened
    try:
        return (out_dir / name).read_bytes()
    except FileNotFoundError:
        out.fail(name, missing)
    except OSError as exc:
        out.fail(name, f"unreadable ({exc.strerror})")
    return None


def _listed_files(out: VerifyOutcome, manifest_data: bytes) -> dict[str, dict] | None:
    """The manifest's `files`, keyed by path, or None if there is no list at all.

    Every malformation is a problem on manifest.json.
    """
    try:
        manifest = json.loads(manifest_data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        out.fail(MANIFEST_NAME, f"not valid JSON ({exc})")
        return None
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        out.fail(MANIFEST_NAME, f"not a {SCHEMA} manifest")
        return None
    evidence = manifest.get("evidence")
    out.evidence_listed = [e["path"] for e in evidence if isinstance(e, dict) and isinstance(e.get("path"), str)] \
        if isinstance(evidence, list) else []
    entries = manifest.get("files")
    if not isinstance(entries, list):
        out.fail(MANIFEST_NAME, "has no `files` list")
        return None
    listed: dict[str, dict] = {}
    for i, entry in enumerate(entries):
        rel = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(rel, str) or not _safe_relative(rel):
            # A path that leaves the directory would let a manifest vouch for files elsewhere.
            out.fail(MANIFEST_NAME, f"files[{i}]: path {rel!r} is not a relative path inside the directory")
        elif not isinstance(entry.get("sha256"), str) or not _SHA256.match(entry["sha256"]):
            out.fail(MANIFEST_NAME, f"files[{i}] ({rel}): sha256 missing or malformed")
        elif rel in listed:
            out.fail(MANIFEST_NAME, f"files[{i}] ({rel}): listed twice")
        else:
            listed[rel] = entry
    return listed


def _safe_relative(rel: str) -> bool:
    p = PurePosixPath(rel)
    return bool(rel) and not p.is_absolute() and ".." not in p.parts and "\\" not in rel and str(p) == rel


def _check_pdf(out: VerifyOutcome, path: Path, rel: str, trust_pem: bytes | None, manifest_signer) -> None:
    from cryptography import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from hds_audit.signing.cms import load_trust_certificates
    from hds_audit.signing.pades import FIELD_NAME

    try:
        from asn1crypto import x509 as asn1_x509

        roots = [asn1_x509.Certificate.load(c.public_bytes(_der())) for c in load_trust_certificates(trust_pem)]
        with _quiet_pyhanko():
            reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)
            sigs = [s for s in reader.embedded_signatures if s.field_name == FIELD_NAME]
            if not sigs:
                out.fail(rel, "unsigned: no hds-audit PDF signature")
                return
            sig = sigs[0]
            # No fetching: verify runs offline; a self-signed or private anchor has no OCSP anyway.
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots, allow_fetching=False))
    except Exception as exc:  # a corrupt PDF is a finding about that file, never a crash
        out.fail(rel, f"PDF signature cannot be checked ({type(exc).__name__}: {str(exc)[:160]})")
        return
    if not (status.intact and status.valid):
        out.fail(rel, "PDF signature broken: the signed content was altered")
        return
    # pyHanko keeps intact/valid (and even bottom_line) true when bytes follow the signed revision;
    # only the coverage level tells that something was appended after signing. The one addition
    # allowed is validation data (the DSS of a PAdES-B-LT signature, written just after it).
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not _validation_data_only(status):
        out.fail(rel, f"content added after the PDF signature (coverage {status.coverage.name})")
        return
    if not _check_timestamp(out, rel, status):
        return
    pdf_signer = x509.load_der_x509_certificate(sig.signer_cert.dump())
    if manifest_signer is not None and pdf_signer != manifest_signer:
        out.fail(rel, "signed by another certificate than manifest.json.sig")
        return
    if not status.trusted:
        why = "no trust certificate given" if not roots else "signer does not chain to the trust certificate"
        out.distrust(rel, f"PDF signer not trusted: {why}")


def _validation_data_only(status) -> bool:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and status.modification_level == ModificationLevel.LTA_UPDATES


def _check_timestamp(out: VerifyOutcome, rel: str, status) -> bool:
    """An RFC 3161 timestamp, when the signature carries one, must be intact; verify says when and by whom."""
    from cryptography import x509

    from hds_audit.signing.cms import fingerprint

    stamp = status.timestamp_validity
    if stamp is None:
        return True
    if not (stamp.intact and stamp.valid):
        out.fail(rel, "PDF signature timestamp broken: the token does not match the signature")
        return False
    tsa = x509.load_der_x509_certificate(stamp.signing_cert.dump())
    trusted = "trusted" if stamp.trusted else "not chained to --trust"
    out.notes.append(f"{rel}: timestamped {stamp.timestamp.isoformat()} by {tsa.subject.rfc4514_string()} "
                     f"(TSA certificate SHA-256 {fingerprint(tsa)}, {trusted})")
    return True


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


@contextlib.contextmanager
def _quiet_pyhanko():
    """pyHanko logs an untrusted signer as an error with a traceback; verify reports it itself."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, saved):
            lg.setLevel(level)
