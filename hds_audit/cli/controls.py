"""`hds-audit controls list | show ID | export --xlsx FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from hds_audit.cli.common import Unusable, drop_option, load_catalog
from hds_audit.exitcodes import ExitCode

_matrix = click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV or XLSX matrix replacing the bundled one.")


def matrix_option(command):
    return _matrix(drop_option(command))


@click.group()
def controls():
    """The control catalog built from the HDS matrix and the Service Description."""


@controls.command("list")
@matrix_option
def list_controls(matrix):
    """One line per control: id, domain, rule, responsibility, evidence.

    With --matrix, a last column says how each row met its binding (by the id column, by the rule's
    wording, or a new rule), and one more line per binding that matches no rule or is dropped.
    A table on a terminal; tab-separated lines, with a header, when the output goes to a pipe or a file.
    """
    catalog = load_catalog(matrix, strict=False)
    columns = ("id", "domain", "rule", "responsibility", "evidenced by")
    rows = [(c.id, c.domain, c.rule, c.responsibility, _evidence(catalog.bindings.get(c.id))) for c in catalog.controls]
    if matrix is not None:
        columns, rows = (*columns, "matched"), _with_matching(catalog, rows)
    _warn_unmatched(catalog)
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
    catalog = load_catalog(matrix, strict=False)
    _warn_unmatched(catalog)
    control = catalog.get(control_id) or next((c for c in catalog.controls if c.rule.casefold() == control_id.casefold()), None)
    if control is None:
        raise Unusable(f"no control '{control_id}' (see `hds-audit controls list`)")
    binding = catalog.bindings.get(control.id)
    for label, value in (
        ("id", control.id), ("domain", control.domain), ("rule", control.rule), ("detail", control.detail or "—"),
        ("section", control.section), ("responsibility", control.responsibility),
        ("customer", control.customer_responsibility), ("provider", control.provider_responsibility),
        ("evidenced by", _evidence(binding)),
    ):
        click.echo(f"{label:>15}: {value}")
    if binding:
        from hds_audit.checks.registry import all_checks

        specs = all_checks()
        for ref in binding.check_refs(control):
            spec = specs.get(ref.id)
            declared = f" ({spec.category}, severity {spec.severity})" if spec else " (not implemented yet)"
            click.echo(f"{'':>15}  - {ref.id}{declared}" + (f" {ref.params}" if ref.params else ""))
    return int(ExitCode.OK)


@controls.command("export", short_help="Write the catalog as a workbook.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Workbook to write.")
@matrix_option
def export(xlsx, matrix):
    """Write the catalog as a workbook (the matrix's columns, plus the checks bound)."""
    from hds_audit.catalog.export import export_xlsx

    catalog = load_catalog(matrix, strict=False)
    _warn_unmatched(catalog)
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


def _with_matching(catalog, rows: list[tuple]) -> list[tuple]:
    """The control rows with how each matched, then one row per binding without a rule."""
    how = {"id": "id column, row {row}", "text": "rule wording, row {row}", "new": "new rule, row {row} (no binding)"}
    out = []
    for row in rows:
        match = catalog.matches.get(row[0])
        out.append((*row, how[match.how].format(row=match.row) if match else "commitments.csv"))
    for d in catalog.dropped:
        out.append((d.binding, "", d.rule, "", ", ".join(d.checks), f"dropped on purpose ({d.by})"))
    for u in catalog.unmatched:
        out.append((u.binding, "", u.rule, "", ", ".join(u.checks), f"NO RULE (closest: {u.closest or 'none'})"))
    return out


def _warn_unmatched(catalog) -> None:
    if catalog.unmatched:
        click.secho(f"hds-audit: {len(catalog.unmatched)} binding(s) match no rule of {catalog.matrix_name} "
                    f"({', '.join(u.binding for u in catalog.unmatched)}): a run stops (exit 2) unless they are "
                    "given an id or dropped with --drop-binding", fg="yellow", err=True)
