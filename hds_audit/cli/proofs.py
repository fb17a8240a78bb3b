"""`hds-audit residency BUNDLE --out DIR` and `hds-audit deletion BUNDLE --out DIR`: signed customer proofs.

Exit 0 proven, 1 not proven (docs/user-guide.md "Proofs for customers"), 2 no proof could be made
(bad usage, unreadable bundle).
"""

from __future__ import annotations

from pathlib import Path

import click

from hds_audit.cli import common


def _proof_options(default_out: str):
    return common.apply([
        click.argument("bundle", required=False),
        *common.period_options,
        click.option("--out", "out", type=click.Path(path_type=Path), default=Path(default_out), show_default=True,
                     help="Folder for the signed proof."),
        click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV or XLSX matrix replacing the bundled one."),
        common.drop_option,
        click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="HDS_AUDIT_KEY",
                     help="PKCS#12 signing identity; password from HDS_AUDIT_KEY_PASSWORD."),
        common.lang_option,
        common.tsa_option,
        common.s3_option,
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
    the_period = common.resolve_period(period, start and start.date(), end and end.date())
    catalog = common.load_catalog(matrix)
    source = common.open_bundle(bundle, s3_endpoint)
    common.output_folder(out, source)
    tenant = common.load_tenant(source)
    preloaded = common.warn_waiver_problems(source, tenant)
    if name == "deletion" and tenant.contract_end is None:
        click.secho(f"hds-audit: {NOTHING_TO_PROVE}", fg="red", err=True)
        return int(ExitCode.FAILED)
    identity = common.timestamped(common.signing_identity(key, out, common.report_language(lang, tenant)), tsa)
    try:
        result = run_checks(catalog, source, tenant, the_period, only=set(proof_kind.checks), preloaded=preloaded)
    except CatalogError as exc:
        raise common.Unusable(f"catalog refused: {exc}") from None
    result.generated_at = now()
    result.language = common.report_language(lang, tenant)
    result.sample = common.is_sample(source)
    proof = assess(proof_kind, result)
    try:
        write_proof(proof, result, identity, out)
    except OSError as exc:
        raise common.Unusable(f"cannot write the proof into {out}: {exc}") from None
    except SigningError as exc:  # a timestamp authority that does not answer, a key pyHanko refuses
        raise common.Unusable(f"no proof written: {exc}") from None
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
        from hds_audit.i18n.messages import Message

        for reason in proof.document["reason_templates"]:  # in the proof's language (`with language` above)
            click.echo(f"  - {Message.from_json(reason).render()}")
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
