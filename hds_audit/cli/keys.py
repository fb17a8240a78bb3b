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
@click.option("--name", help="Who signs: the certificate's common name, e.g. \"Claire Vidal, RSSI\" (asked on a terminal).")
@click.option("--organisation", help="The signer's organisation (asked on a terminal; none if left empty).")
def init(directory, name, organisation):
    """Write DIR/signer.p12 (encrypted with HDS_AUDIT_KEY_PASSWORD, asked on a terminal when unset) and
    DIR/signer.pem (self-signed). Every report it signs names the signer: --name is required off a terminal."""
    from hds_audit.signing import SigningError
    from hds_audit.signing.identity import init_identity, password_from_env

    interactive = click.get_text_stream("stdin").isatty()
    if not name:
        if not interactive:
            raise Unusable("who signs? give --name \"Full Name, role\" (and --organisation): the reports print them as the signer")
        name = click.prompt("Signer's name (certificate common name)").strip()
        if organisation is None:
            organisation = click.prompt("Organisation", default="", show_default=False).strip()
    try:
        identity = init_identity(directory, password_from_env(confirm=True), common_name=name, organisation=organisation or None)
    except SigningError as exc:
        raise Unusable(str(exc)) from None
    click.echo(f"Signing identity written: {identity.path} and {directory / 'signer.pem'} (self-signed, EC P-256)")
    return int(ExitCode.OK)
