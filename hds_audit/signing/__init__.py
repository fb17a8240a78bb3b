"""Signing: the identity, the PAdES report signature, the signed manifest, and verify.

This package file stays light on purpose: the CLI imports it on every command, and the heavy
libraries (pyHanko, cryptography) are only loaded by the submodules that need them.
"""


class SigningError(Exception):
    """A signing identity or signature could not be used; the message names the file and reason.

    Messages never carry the key password.
    """


__all__ = ["SigningError"]
