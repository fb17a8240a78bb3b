"""`hds-audit keys init DIR`: a password-protected signing identity for trying the tool."""

from __future__ import annotations

from pathlib import Path

import click

from hds_audit.cli.common import Unusable
from hds_audit.exitcodes import ExitCode


@click.group()
def keys():
    """Signing identities."""


@keys.command("init", short_help="Write a self-signed signing identity into DIR.")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="hds-audit signer", show_default=True, help="Common name of the certificate.")
def init(directory, name):
    """Write DIR/signer.p12 (encrypted with HDS_AUDIT_KEY_PASSWORD) and DIR/signer.pem (self-signed)."""
    from hds_audit.signing import SigningError
    from hds_audit.signing.identity import init_identity, password_from_env

    try:
        identity = init_identity(directory, password_from_env(), common_name=name)
    except SigningError as exc:
        raise Unusable(str(exc)) from None
    click.echo(f"Signing identity written: {identity.path} and {directory / 'signer.pem'} (self-signed, EC P-256)")
    return int(ExitCode.OK)
