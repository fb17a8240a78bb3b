"""`hds-audit verify DIR [--trust CERT]`."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--trust", type=click.Path(path_type=Path), help="Certificate (PEM) the signer must chain to.")
@click.option("--reviewer-trust", type=click.Path(path_type=Path), metavar="CERT",
              help="Certificate (PEM) every auditor's review signature (review/*.json.sig) must chain to.")
def verify(directory, trust, reviewer_trust):
    """Check the PDF signature, the signed manifest and every listed file's SHA-256.

    Exit 0 when intact and signed by a certificate that chains to --trust, 1 when anything is
    altered, missing or unsigned (each file is named), 3 when intact but the signer is not trusted
    (or no --trust is given), 2 when the --trust file cannot be read.
    """
    from hds_audit.exitcodes import ExitCode
    from hds_audit.signing.verify import verify_report_dir

    if not directory.is_dir():
        # a report folder that is not there is "missing" (exit 1); a bad --trust stays a usage error
        problem = _trust_problem(trust)
        if problem:
            click.secho(f"  {trust}: {problem}", fg="red", err=True)
            return int(ExitCode.UNUSABLE)
        what = "not a folder (verify takes the report folder)" if os.path.lexists(directory) else "missing: no such folder"
        click.secho(f"  {directory}: {what}", fg="red", err=True)
        click.secho(f"{directory}: NOT verified", fg="red")
        return int(ExitCode.FAILED)
    if trust is not None and _inside(trust, directory):
        click.secho(f"warning: --trust {trust} lies in the folder being verified: whoever re-signs the folder replaces it "
                    "too, so it proves nothing about the signer; trust a certificate obtained separately", fg="yellow", err=True)
    outcome = verify_report_dir(directory, trust, reviewer_trust)
    for problem in outcome.problems:
        click.secho(f"  {problem}", fg="yellow" if getattr(problem, "untrusted", False) else "red", err=True)
    status = outcome.status
    if status is ExitCode.OK:
        click.secho(f"{directory}: intact, {_coverage(outcome)}; signed by {outcome.signer}", fg="green")
    elif status is ExitCode.UNTRUSTED:
        click.secho(f"{directory}: intact, {_coverage(outcome)}; but the signer is not trusted"
                    + ("" if trust else " (no --trust given)") + f": {outcome.signer}", fg="yellow")
    else:
        click.secho(f"{directory}: NOT verified", fg="red")
    for note in outcome.notes:
        click.echo(f"  {note}")
    if outcome.fingerprint:
        # the subject is whatever the signer wrote; the fingerprint is what to compare with the one the signer gave apart
        click.echo(f"  signer certificate SHA-256 fingerprint: {outcome.fingerprint}")
    return int(status)


def _trust_problem(trust: Path | None) -> str | None:
    """Why the --trust file cannot serve, or None (also when there is none)."""
    if trust is None:
        return None
    from hds_audit.signing.cms import load_trust_certificates

    try:
        return None if load_trust_certificates(trust.read_bytes()) else "holds no certificate"
    except Exception as exc:  # noqa: BLE001 - missing file, not a certificate: the caller's input is unusable
        return f"trust certificate unreadable ({type(exc).__name__}: {exc})"


def _inside(trust: Path, directory: Path) -> bool:
    """Whether the --trust file is one of the folder's own files (a link to one included).

    Only where it lies tells: with a self-signed identity the certificate obtained separately has the
    very bytes of the folder's signer.pem, so equal bytes say nothing.
    """
    try:
        if trust.resolve().is_relative_to(directory.resolve()):
            return True
        signer = directory / "signer.pem"
        return signer.exists() and trust.exists() and os.path.samefile(trust, signer)
    except OSError:
        return False


def _coverage(outcome) -> str:
    """What the hashes covered, and the evidence hashes the signed manifest lists that nothing here could check."""
    from hds_audit.signing.manifest import SNAPSHOT_DIR

    prefix = SNAPSHOT_DIR + "/"
    snapshot = {rel.removeprefix(prefix) for rel in outcome.checked if rel.startswith(prefix)}
    text = f"{len(outcome.checked) - len(snapshot)} report file(s)"
    text += f" and {len(snapshot)} evidence file(s) of the {prefix} snapshot checked" if snapshot else " checked"
    unchecked = sum(1 for path in outcome.evidence_listed if path not in snapshot)
    if unchecked:
        why = "not in the evidence/ snapshot" if snapshot else "no evidence/ snapshot"
        text += f"; {unchecked} evidence file {'hash' if unchecked == 1 else 'hashes'} listed but not checked ({why})"
    return text
