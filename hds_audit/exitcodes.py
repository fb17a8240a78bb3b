"""Every exit code hds-audit returns, in one place (each command's codes: README.md's command table,
docs/user-guide.md and docs/ci-gate.md)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Nothing failed or errored; verify: intact and trusted; proofs: proven."""
    FAILED = 1
    """A control failed or errored; verify: something altered, missing or unsigned; gate: new failure or drift."""
    UNUSABLE = 2
    """No report could be made: bad usage, unreadable profile or catalog, gate cannot run."""
    UNTRUSTED = 3
    """verify: everything intact, but the signer does not chain to the trusted certificate."""
