"""`hds-audit controls list | show ID | export --xlsx FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from hds_audit.cli.common import Unusable, load_catalog
from hds_audit.exitcodes import ExitCode

matrix_option = click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV or XLSX matrix replacing the bundled one.")


@click.group()
def controls():
    """The control catalog built from the HDS matrix and the Service Description."""


@controls.command("list")
@matrix_option
def list_controls(matrix):
    """One line per control: id, domain, rule, responsibility, evidence.

    A table on a terminal; tab-separated lines, with a header, when the output goes to a pipe or a file.
    """
    catalog = load_catalog(matrix)
    columns = ("id", "domain", "rule", "responsibility", "evidenced by")
    rows = [(c.id, c.domain, c.rule, c.responsibility, _evidence(catalog.bindings.get(c.id))) for c in catalog.controls]
    if not click.get_text_stream("stdout").isatty():
        for row in (columns, *rows):
            click.echo("\t".join(" ".join(str(v).split()) for v in row))  # one line per control, tabs only between fields
        return int(ExitCode.OK)
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    Console(width=200).print(table)
    return int(ExitCode.OK)


@controls.command("show", short_help="Everything about one control.")
@click.argument("control_id")
@matrix_option
def show(control_id, matrix):
    """Everything about one control: its matrix wording and how it is evidenced."""
    catalog = load_catalog(matrix)
    control = catalog.get(control_id) or next((c for c in catalog.controls if c.rule.casefold() == control_id.casefold()), None)
    if control is None:
        raise Unusable(f"no control '{control_id}' (see `hds-audit controls list`)")
    binding = catalog.bindings.get(control.id)
    for label, value in (
        ("id", control.id), ("domain", control.domain), ("rule", control.rule), ("detail", control.detail or "—"),
        ("section", control.section), ("responsibility", control.responsibility),
        ("customer", control.customer_responsibility), ("provider", control.provider_responsibility),
    ):
        click.echo(f"{label:>15}: {value}")
    # the checks once, one a line with their parameters (not also as the one-line list of `controls list`)
    refs = binding.check_refs(control) if binding else []
    click.echo(f"{'evidenced by':>15}: " + ("" if refs else _evidence(binding)))
    for ref in refs:
        click.echo(f"{'':>15}  - {ref.id}" + (f" {ref.params}" if ref.params else ""))
    return int(ExitCode.OK)


@controls.command("export", short_help="Write the catalog as a workbook.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Workbook to write.")
@matrix_option
def export(xlsx, matrix):
    """Write the catalog as a workbook (the matrix's columns, plus the checks bound)."""
    from hds_audit.catalog.export import export_xlsx

    catalog = load_catalog(matrix)
    export_xlsx(catalog, xlsx)
    click.echo(f"{len(catalog.controls)} controls written to {xlsx}")
    return int(ExitCode.OK)


def _evidence(binding) -> str:
    if binding is None:
        return "nothing bound (manual)"
    parts = [ref.id for ref in binding.checks]
    if binding.attestation:
        parts.append("attestation")
    if binding.provider:
        parts.append("provider certificates")
    return ", ".join(parts)
