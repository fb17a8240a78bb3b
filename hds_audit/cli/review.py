"""`hds-audit review import REVIEWED.xlsx --into DIR`: an auditor's verdicts into a signed report folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from hds_audit.cli.common import Unusable, timestamped, tsa_option

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def review() -> None:
    """Import an auditor's reviewed workbook into a report folder."""


@review.command("import", short_help="Import a reviewed workbook into its report folder.")
@click.argument("workbook", type=_FILE)
@click.option("--into", "directory", required=True, metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The report folder the workbook came from (it holds results.json).")
@click.option("--trust", type=_FILE, metavar="CERT",
              help="Certificate (PEM) DIR's signer must chain to (default: the certificate of --key).")
@click.option("--reviewer", help="The reviewer's name, when the Reviewer cell of the Summary sheet is empty.")
@click.option("--date", "review_date", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="Review date, YYYY-MM-DD (default: the Review date cell of the Summary sheet, else today).")
@click.option("--key", type=_FILE, envvar="HDS_AUDIT_KEY",
              help="PKCS#12 identity that re-signs DIR; password from HDS_AUDIT_KEY_PASSWORD.")
@click.option("--reviewer-key", type=_FILE, metavar="P12",
              help="The auditor's own PKCS#12 identity, to sign the review record; password from HDS_AUDIT_REVIEWER_KEY_PASSWORD.")
@tsa_option
def import_(workbook, directory, trust, reviewer, review_date, key, reviewer_key, tsa):
    """Record each verdict and comment (per control, and per finding by its id) in DIR/results.json,
    keep the workbook and a review record under DIR/review/, re-render every report and re-sign DIR.

    Refuses a workbook made for another run, and a folder that does not verify against --trust (or
    the certificate of --key). Without --key, only a DEMO-signed folder can be re-signed (with a
    new DEMO identity).
    """
    from hds_audit.calendar.instants import PARIS, parse_instant
    from hds_audit.exitcodes import ExitCode
    from hds_audit.signing import SigningError
    from hds_audit.signing.review_record import record_files
    from hds_audit.workflows.review import ReviewError, apply_review, load_result, read_results, read_workbook, rerender

    try:
        document = read_results(directory)
        result, extras = load_result(document)
        reviewed = read_workbook(workbook)
        if reviewed.run_id != result.run_id:
            raise ReviewError(f"{workbook.name} belongs to run {reviewed.run_id}, but {directory} holds run {result.run_id}: "
                              "import a workbook into the folder of the run it came from")
        who = _reviewer(reviewed.reviewer, reviewer, workbook)
        now = datetime.now(PARIS).replace(microsecond=0)
        when = parse_instant(review_date.date()) if review_date else reviewed.reviewed_at or now
        if not reviewed.verdicts and not reviewed.findings and not reviewed.actions:
            raise ReviewError(f"{workbook.name}: no verdict or comment in the Controls or Findings sheet, no owner or due date "
                              "in the Root causes sheet: nothing to import")
        identity = _identity(key, directory)
        _check_folder(directory, trust, identity if key is not None else None)
        auditor = _load(reviewer_key, "HDS_AUDIT_REVIEWER_KEY_PASSWORD") if reviewer_key else None
        record, added = record_files(directory, reviewed, who, when, workbook, auditor, imported_at=now)
        apply_review(result, reviewed, who, when, record=record)
        rerender(directory, result, timestamped(identity, tsa), extras, added)
    except (ReviewError, SigningError) as exc:
        raise Unusable(str(exc)) from None
    except OSError as exc:
        raise Unusable(f"cannot rewrite {directory}: {exc}") from None
    owned = f", {len(reviewed.actions)} root cause owner(s) or due date(s)" if reviewed.actions else ""
    signed = f", signed by {_subject(auditor)}" if auditor else " (not signed by the reviewer: no --reviewer-key)"
    click.secho(f"{len(reviewed.verdicts)} control(s) and {len(reviewed.findings)} finding(s) reviewed by {who}{owned} recorded in "
                f"{directory / 'results.json'}; workbook and review record kept as {record}{signed}; "
                f"every report re-rendered and re-signed.", fg="green")
    return int(ExitCode.OK)


def _reviewer(in_workbook: str | None, flag: str | None, workbook: Path) -> str:
    """The reviewer the workbook names; --reviewer only fills an empty Reviewer cell, never overrides it."""
    from hds_audit.workflows.review import ReviewError

    if in_workbook and flag and flag != in_workbook:
        raise ReviewError(f"{workbook.name} names {in_workbook} as reviewer, but --reviewer says {flag}: "
                          "the workbook's Reviewer cell is what the auditor wrote; correct it there")
    who = in_workbook or flag
    if not who:
        raise ReviewError("who reviewed? fill in the Reviewer cell of the Summary sheet, or pass --reviewer NAME")
    return who


def _subject(identity) -> str:
    from hds_audit.signing.cms import fingerprint
    from hds_audit.signing.identity import subject_text

    return f"{subject_text(identity.certificate)} (SHA-256 {fingerprint(identity.certificate)})"


def _check_folder(directory: Path, trust: Path | None, identity) -> None:
    """Re-signing a folder vouches for it: it must be intact and signed by whom --trust (or --key) names.

    Otherwise a forged folder (results edited, re-sealed with any key) would come out signed by
    the real key. Without either, only a DEMO-signed folder is accepted: it proves nothing anyway.
    """
    from hds_audit.exitcodes import ExitCode
    from hds_audit.signing.verify import verify_report_dir
    from hds_audit.workflows.review import ReviewError

    anchor = trust if trust is not None else (identity.certificate_pem if identity is not None else None)
    outcome = verify_report_dir(directory, anchor)
    broken = "; ".join(str(p) for p in outcome.problems if not p.untrusted)
    if outcome.status is ExitCode.OK:
        return
    if outcome.status is ExitCode.UNTRUSTED and anchor is None and outcome.is_demo:
        return
    if broken or outcome.status is not ExitCode.UNTRUSTED:
        raise ReviewError(f"{directory} does not verify ({broken or 'unusable'}): refusing to re-sign it")
    whom = f"--trust {trust}" if trust is not None else ("the certificate of --key" if identity is not None else "any trusted certificate")
    raise ReviewError(f"{directory} is intact but its signer ({outcome.signer}, SHA-256 {outcome.fingerprint}) does not chain to "
                      f"{whom}: refusing to re-sign it" + ("" if anchor is not None else
                                                            "; pass --trust CERT (the signer's certificate, obtained apart) and --key"))


def _load(key: Path, password_env: str):
    from hds_audit.signing import SigningError
    from hds_audit.signing.identity import load_identity, password_from_env
    from hds_audit.workflows.review import ReviewError

    try:
        return load_identity(key, password_from_env(password_env))
    except SigningError as exc:
        raise ReviewError(str(exc)) from None


def _identity(key: Path | None, directory: Path):
    from hds_audit.signing.identity import PASSWORD_ENV, demo_identity, is_demo_certificate
    from hds_audit.workflows.review import ReviewError

    if key is not None:
        return _load(key, PASSWORD_ENV)
    try:
        from cryptography import x509

        current = x509.load_pem_x509_certificate((directory / "signer.pem").read_bytes())
    except (OSError, ValueError) as exc:
        raise ReviewError(f"{directory / 'signer.pem'} cannot be read ({exc}): pass --key to re-sign") from None
    if not is_demo_certificate(current):
        raise ReviewError(f"{directory} was signed by a real identity: pass --key (password in HDS_AUDIT_KEY_PASSWORD) to re-sign it")
    click.secho("No --key given and the folder was signed with a DEMO identity: re-signing with a new throwaway DEMO identity.",
                fg="yellow", err=True)
    return demo_identity()
