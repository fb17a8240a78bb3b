"""`hds-audit residency BUNDLE --out DIR` and `hds-audit deletion BUNDLE --out DIR`: signed customer proofs.

Exit 0 proven, 1 not proven (docs/user-guide.md "Proofs for customers"), 2 no proof could be made
(bad usage, unreadable bundle).
"""

from __future__ import annotations

from pathlib import Path

import click

from hds_audit.cli.common import (
    Unusable,
    apply,
    drop_option,
    is_sample,
    lang_option,
    load_catalog,
    load_tenant,
    open_bundle,
    output_folder,
    period_options,
    report_language,
    resolve_period,
    s3_option,
    signing_identity,
    timestamped,
    tsa_option,
    warn_waiver_problems,
)


def _proof_options(default_out: str):
    return apply([
        click.argument("bundle", required=False),
        *period_options,
        click.option("--out", "out", type=click.Path(path_type=Path), default=Path(default_out), show_default=True,
                     help="Folder for the signed proof."),
        click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV or XLSX matrix replacing the bundled one."),
        drop_option,
        click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="HDS_AUDIT_KEY",
                     help="PKCS#12 signing identity; password from HDS_AUDIT_KEY_PASSWORD."),
        lang_option,
        tsa_option,
        s3_option,
    ])


def _prove(name: str, bundle, period, start, end, out, matrix, key, lang, s3_endpoint, tsa=None) -> int:
    from hds_audit.catalog.load import CatalogError
    from hds_audit.exitcodes import ExitCode
    from hds_audit.i18n import language
    from hds_audit.pipeline.engine import now, run_checks
    from hds_audit.signing import SigningError
    from hds_audit.workflows.proofs import assess, kind, write_proof
    from hds_audit.workflows.proofs.deletion import NOTHING_TO_PROVE

    proof_kind = kind(name)
    the_period = resolve_period(period, start and start.date(), end and end.date())
    catalog = load_catalog(matrix)
    source = open_bundle(bundle, s3_endpoint)
    output_folder(out, source)
    tenant = load_tenant(source)
    preloaded = warn_waiver_problems(source, tenant)
    if name == "deletion" and tenant.contract_end is None:
        click.secho(f"hds-audit: {NOTHING_TO_PROVE}", fg="red", err=True)
        return int(ExitCode.FAILED)
    identity = timestamped(signing_identity(key, out), tsa)
    try:
        result = run_checks(catalog, source, tenant, the_period, only=set(proof_kind.checks), preloaded=preloaded)
    except CatalogError as exc:
        raise Unusable(f"catalog refused: {exc}") from None
    result.generated_at = now()
    result.language = report_language(lang, tenant)
    result.sample = is_sample(source)
    proof = assess(proof_kind, result)
    try:
        write_proof(proof, result, identity, out)
    except OSError as exc:
        raise Unusable(f"cannot write the proof into {out}: {exc}") from None
    except SigningError as exc:  # a timestamp authority that does not answer, a key pyHanko refuses
        raise Unusable(f"no proof written: {exc}") from None
    with language(result.language):
        _tell(name, proof, proof_kind, tenant, out)
    return int(ExitCode.OK if proof.proven else ExitCode.FAILED)


def _tell(name: str, proof, proof_kind, tenant, out: Path) -> None:
    from hds_audit.i18n import _

    stem = proof_kind.stem
    # what is proven: the deletion timeline or the regions, not the audit period, which says little here
    said = proof_kind.statement(proof.document) if proof_kind.statement else ""
    if proof.proven:
        click.secho(_("{name}: PROVEN for {tenant}.", name=name, tenant=tenant.name) + f" {said or ''}", fg="green")
    else:
        click.secho(_("{name}: NOT PROVEN for {tenant}.", name=name, tenant=tenant.name) + f" {said or ''}", fg="red")
        for reason in proof.reasons:
            click.echo(f"  - {reason}")
    click.echo(_("Written to {out}: {stem}.pdf (signed), {stem}.json, signer.pem, manifest.json (+ .sig)", out=out, stem=stem))


@click.command()
@_proof_options("residency-proof")
def residency(bundle, period, start, end, out, matrix, key, lang, tsa, s3_endpoint):
    """Signed proof of where every resource, backup, replica and trace of BUNDLE lies."""
    return _prove("residency", bundle, period, start, end, out, matrix, key, lang, s3_endpoint, tsa)


@click.command()
@_proof_options("deletion-proof")
def deletion(bundle, period, start, end, out, matrix, key, lang, tsa, s3_endpoint):
    """Signed proof of the deletion timeline of BUNDLE after the contract end."""
    return _prove("deletion", bundle, period, start, end, out, matrix, key, lang, s3_endpoint, tsa)
