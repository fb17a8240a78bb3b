"""What a YAML reader tells a user: where the error is (line and column as editors count) and what is wrong.

PyYAML's message spreads over several lines and names the stream "<unicode string>"; its first line alone is only
the context ("while parsing a flow sequence"), which says neither where nor what.
"""

from __future__ import annotations

import yaml


def yaml_error(exc: yaml.YAMLError) -> tuple[str | None, str]:
    """(where, reason): `line L, column C` (1-based; None when PyYAML gives no place) and the problem, with its context."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        reason = exc.problem or exc.context or type(exc).__name__
        if exc.problem and exc.context:
            since = exc.context_mark
            start = f" from line {since.line + 1}, column {since.column + 1}" if since and since is not mark else ""
            reason += f" ({exc.context}{start})"
        return where, reason
    if isinstance(exc, yaml.reader.ReaderError):
        return f"character {exc.position + 1}", f"unacceptable character #x{exc.character:04x}: {exc.reason}"
    return None, " ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__


def describe(file: str, exc: yaml.YAMLError) -> str:
    """One line: `file line L, column C: not readable YAML: problem (context)`."""
    where, reason = yaml_error(exc)
    return f"{file}{' ' + where if where else ''}: not readable YAML: {reason}"
