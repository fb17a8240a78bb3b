"""`hds-audit init DIR`: scaffold an evidence bundle to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from hds_audit.cli.common import Unusable
from hds_audit.exitcodes import ExitCode


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--tenant-name", help="The organisation's name, written into tenant.yaml.")
def init(directory: Path, tenant_name: str | None):
    """Create an evidence bundle in DIRECTORY: tenant.yaml, folders, templates.

    Existing files are never overwritten: running it again only adds what is missing.
    """
    from hds_audit.cli.common import load_catalog
    from hds_audit.workflows.scaffold import scaffold

    catalog = load_catalog(None)
    try:
        items = scaffold(directory, tenant_name, catalog)
    except OSError as exc:
        raise Unusable(f"cannot write into {directory}: {exc.strerror or exc}") from None
    created = [i for i in items if i.action == "created"]
    for item in items:
        colour = "green" if item.action == "created" else None
        note = f"  ({item.note})" if item.note else ""
        click.echo(click.style(f"{item.action:8}", fg=colour) + f" {item.path}{note}")
    kept = len(items) - len(created)
    click.echo(f"\n{len(created)} file(s) created, {kept} kept unchanged in {directory}.")
    if created:
        click.echo("Next: replace every CHANGE-ME in tenant.yaml, fill in the folders (each has a README),")
        click.echo(f"then run: hds-audit doctor {directory} --period YYYY-Qn")
    return int(ExitCode.OK)
