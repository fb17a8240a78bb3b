"""`hds-audit verify DIR [--trust CERT]`."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--trust", type=click.Path(path_type=Path), help="Certificate (PEM) the signer must chain to.")
def verify(directory, trust):
    """Check the PDF signature, the signed manifest and every listed file's SHA-256."""
    from hds_audit.exitcodes import ExitCode
    from hds_audit.signing.verify import verify_report_dir

    outcome = verify_report_dir(directory, trust)
    for problem in outcome.problems:
        click.secho(f"  {problem}", fg="yellow" if getattr(problem, "untrusted", False) else "red", err=True)
    status = outcome.status
    if status is ExitCode.OK:
        click.secho(f"{directory}: intact, {len(outcome.checked)} file(s) checked, signed by {outcome.signer}", fg="green")
    elif status is ExitCode.UNTRUSTED:
        click.secho(f"{directory}: intact, but the signer ({outcome.signer}) is not trusted" + ("" if trust else " (no --trust given)"), fg="yellow")
    else:
        click.secho(f"{directory}: NOT verified", fg="red")
    return int(status)
