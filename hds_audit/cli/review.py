"""`hds-audit review import REVIEWED.xlsx --into DIR`: an auditor's verdicts into a signed report folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from hds_audit.cli.common import Unusable


@click.group()
def review() -> None:
    """Import an auditor's reviewed workbook into a report folder."""


@review.command("import", short_help="Import a reviewed workbook into its report folder.")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", "directory", required=True, metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The report folder the workbook came from (it holds results.json).")
@click.option("--reviewer", help="The reviewer's name (default: the Reviewer cell of the Summary sheet).")
@click.option("--date", "review_date", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="Review date, YYYY-MM-DD (default: the Review date cell of the Summary sheet, else today).")
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="HDS_AUDIT_KEY",
              help="PKCS#12 signing identity; password from HDS_AUDIT_KEY_PASSWORD.")
def import_(workbook, directory, reviewer, review_date, key):
    """Record each verdict and comment in DIR/results.json, re-render every report and re-sign DIR.

    Refuses a workbook made for another run. Without --key, only a folder signed with a DEMO
    identity can be re-signed (with a new DEMO identity).
    """
    from hds_audit.exitcodes import ExitCode
    from hds_audit.review import ReviewError, apply_review, load_result, read_results, read_workbook, rerender
    from hds_audit.timeutil import PARIS, parse_instant

    try:
        document = read_results(directory)
        result, extras = load_result(document)
        reviewed = read_workbook(workbook)
        if reviewed.run_id != result.run_id:
            raise ReviewError(f"{workbook.name} belongs to run {reviewed.run_id}, but {directory} holds run {result.run_id}: "
                              "import a workbook into the folder of the run it came from")
        who = reviewer or reviewed.reviewer
        if not who:
            raise ReviewError("who reviewed? fill in the Reviewer cell of the Summary sheet, or pass --reviewer NAME")
        when = parse_instant(review_date.date()) if review_date else reviewed.reviewed_at or datetime.now(PARIS).replace(microsecond=0)
        if not reviewed.verdicts:
            raise ReviewError(f"{workbook.name}: no verdict or comment in the Controls sheet: nothing to import")
        _check_folder(directory)
        identity = _identity(key, directory)
        controls = apply_review(result, reviewed, who, when)
        rerender(directory, result, identity, extras)
    except ReviewError as exc:
        raise Unusable(str(exc)) from None
    except OSError as exc:
        raise Unusable(f"cannot rewrite {directory}: {exc}") from None
    click.secho(f"{len(controls)} control(s) reviewed by {who} recorded in {directory / 'results.json'}; "
                f"every report re-rendered and re-signed.", fg="green")
    return int(ExitCode.OK)


def _check_folder(directory: Path) -> None:
    """Re-signing an altered folder would launder the alteration: it must verify first (trust aside)."""
    from hds_audit.exitcodes import ExitCode
    from hds_audit.review import ReviewError
    from hds_audit.signing.verify import verify_report_dir

    outcome = verify_report_dir(directory, None)
    if outcome.status not in (ExitCode.OK, ExitCode.UNTRUSTED):
        problems = "; ".join(str(p) for p in outcome.problems if not p.untrusted)
        raise ReviewError(f"{directory} does not verify ({problems}): refusing to re-sign it")


def _identity(key: Path | None, directory: Path):
    from hds_audit.review import ReviewError
    from hds_audit.signing import SigningError
    from hds_audit.signing.identity import demo_identity, is_demo_certificate, load_identity, password_from_env

    try:
        if key is not None:
            return load_identity(key, password_from_env())
        from cryptography import x509

        current = x509.load_pem_x509_certificate((directory / "signer.pem").read_bytes())
        if not is_demo_certificate(current):
            raise ReviewError(f"{directory} was signed by a real identity: pass --key (password in HDS_AUDIT_KEY_PASSWORD) to re-sign it")
        click.secho("No --key given and the folder was signed with a DEMO identity: re-signing with a new throwaway DEMO identity.",
                    fg="yellow", err=True)
        return demo_identity()
    except SigningError as exc:
        raise ReviewError(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise ReviewError(f"{directory / 'signer.pem'} cannot be read ({exc}): pass --key to re-sign") from None
