"""What several commands share: opening a bundle, reading a period, loading the signing identity."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click

from hds_audit.exitcodes import ExitCode
from hds_audit.paths import data_dir


class Unusable(click.ClickException):
    """No report can be made: printed as one clear line, exit 2."""

    exit_code = ExitCode.UNUSABLE

    def show(self, file=None) -> None:
        click.secho(f"hds-audit: {self.format_message()}", fg="red", err=True)


def default_bundle() -> str:
    return str(data_dir("samples") / "compliant")


def is_sample(bundle) -> bool:
    """Whether the bundle is one of the fictional samples shipped with the tool (its reports then say SAMPLE)."""
    if bundle.is_remote:
        return False
    samples = os.path.realpath(str(data_dir("samples")))
    return os.path.realpath(bundle.root).startswith(samples + os.sep)


def open_bundle(url: str | None, s3_endpoint: str | None = None):
    from hds_audit.evidence.bundle import Bundle, BundleError

    url = url or default_bundle()
    options = {}
    if url.startswith("s3://"):
        endpoint = s3_endpoint or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            options["client_kwargs"] = {"endpoint_url": endpoint}
    try:
        return Bundle(url, options)
    except BundleError as exc:
        raise Unusable(str(exc)) from None


def output_folder(out: Path, bundle) -> Path:
    """Refuse (exit 2, nothing touched) an --out that is not ours to replace, or that is, holds or lies in the bundle."""
    from hds_audit.outdir import OutDirError, check_out

    keep = {} if bundle.is_remote else {"the evidence bundle": Path(bundle.root)}
    try:
        return check_out(out, keep)
    except OutDirError as exc:
        raise Unusable(str(exc)) from None


@contextmanager
def hold(out: Path):
    """The lock on --out for the block (hds_audit/outdir.py), or exit 2 when another process holds it."""
    from hds_audit.outdir import OutDirError, locked

    try:
        with locked(out):
            yield
    except OutDirError as exc:
        raise Unusable(str(exc)) from None


def load_tenant(bundle):
    from hds_audit.evidence.tenant import TenantError, load

    try:
        return load(bundle)
    except TenantError as exc:
        raise Unusable(str(exc)) from None
    except OSError as exc:
        raise Unusable(f"tenant.yaml cannot be read: {exc}") from None


lang_option = click.option("--lang", "lang", type=click.Choice(["en", "fr"], case_sensitive=False),
                           help="Language of the reports and the summary (default: tenant.yaml `language:`, else en).")


def report_language(lang, tenant) -> str:
    return (lang or getattr(tenant, "language", None) or "en").lower()


def warn_waiver_problems(bundle, tenant) -> dict:
    """Each waiver not applied, one line on stderr: no check needs waivers, so no finding says it.

    Returns the waivers evidence as `run_checks(preloaded=...)` takes it, so that the run reads waivers.yaml once.
    """
    from hds_audit.evidence import waivers
    from hds_audit.results.waivers import refuse_unknown_checks

    evidence = refuse_unknown_checks(waivers.load(bundle, tenant))
    for problem in evidence.problems:
        click.secho(f"hds-audit: waiver not applied: {problem}", fg="yellow", err=True)
    return {waivers.NAME: evidence}


def _remember_drops(ctx: click.Context, _param, value) -> None:
    ctx.meta["drop_bindings"] = tuple(value or ())


# Beside every --matrix. Not passed as an argument: load_catalog reads it from the command's context,
# so no command's signature changes for an option only the catalog uses.
drop_option = click.option(
    "--drop-binding", "drop_bindings", metavar="ID", multiple=True, expose_value=False, callback=_remember_drops,
    help="A binding of controls/bindings.yaml that the --matrix has no rule for, dropped on purpose (repeatable); "
         "every report lists its checks.")


def load_catalog(matrix: Path | None, strict: bool = True):
    from hds_audit.catalog.load import CatalogError
    from hds_audit.catalog.load import load_catalog as load

    context = click.get_current_context(silent=True)
    drops = context.meta.get("drop_bindings", ()) if context else ()
    try:
        return load(matrix, drop=drops, strict=strict)
    except CatalogError as exc:
        raise Unusable(f"catalog refused: {exc}") from None


def resolve_period(label: str | None, start: date | None, end: date | None):
    """The period of the options as it can be judged now: refused before it begins, interim while it runs."""
    from hds_audit.calendar.instants import TimeParseError, current_time
    from hds_audit.calendar.period import PeriodError, as_of, choose_period

    try:
        return as_of(choose_period(label, start, end), current_time())
    except (PeriodError, TimeParseError) as exc:
        raise Unusable(str(exc)) from None


def signing_identity(key: Path | None, out: Path, lang: str | None = None):
    """The user's identity (--key, password from HDS_AUDIT_KEY_PASSWORD), else a throwaway DEMO one (said in `lang`,
    the language of the run's reports and summary)."""
    from hds_audit.i18n import _, language
    from hds_audit.signing import SigningError
    from hds_audit.signing.cms import fingerprint
    from hds_audit.signing.identity import demo_identity, load_identity, password_from_env

    try:
        if key is not None:
            return load_identity(key, password_from_env())
        # in memory only: nothing is left in the temporary folder; the fingerprint is what `verify` prints too
        identity = demo_identity()
        with language(lang):
            said = _("No --key given: signing with a throwaway DEMO identity (the reports say so); its certificate's "
                     "SHA-256 fingerprint: {fingerprint}", fingerprint=fingerprint(identity.certificate))
        click.secho(said, fg="yellow", err=True)
        return identity
    except SigningError as exc:
        raise Unusable(str(exc)) from None


period_options = [
    click.option("--period", "period", help="YYYY-Qn or YYYY-MM (default: the last full quarter)."),
    click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE", help="First day, YYYY-MM-DD (00:00 Europe/Paris)."),
    click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE", help="First day after the period, YYYY-MM-DD."),
]
tsa_option = click.option("--tsa", metavar="URL",
                          help="RFC 3161 timestamp authority for the PDF signature (PAdES-B-T, with validation data: B-LT).")


def timestamped(identity, tsa: str | None):
    """The identity whose PDF signatures ask `tsa` for a timestamp (hds_audit/signing/pades.py)."""
    from dataclasses import replace

    return replace(identity, tsa_url=tsa) if tsa else identity


s3_option = click.option("--s3-endpoint", envvar="HDS_AUDIT_S3_ENDPOINT", help="S3-compatible endpoint for s3:// bundles (OBS).")


def apply(options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate
