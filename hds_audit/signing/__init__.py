"""Signing: the identity, the PAdES report signature, the signed manifest, and verify.

This package file stays light on purpose: the CLI imports it on every command, and the heavy
libraries (pyHanko, cryptography) are only loaded by the submodules that need them.
"""

import warnings

# pyHanko imports cryptography's DSA key types (to recognise DSA signers), which cryptography answers with
# "CryptographyDeprecationWarning: DSA is deprecated" on every command that signs or verifies. hds-audit
# neither makes nor accepts DSA keys: that one warning, raised from pyHanko's modules, is silenced; any
# other warning still shows.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko(\.|$)")


class SigningError(Exception):
    """A signing identity or signature could not be used; the message names the file and reason.

    Messages never carry the key password.
    """


__all__ = ["SigningError"]
