"""bindings.yaml held to the checks' declared contracts: every check id known, every `params:` key
one the check declares, with a value of its type. A misspelt `trace_max_gap_hour: 0.01` would
otherwise be ignored and the check run with the 24 h default."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

import yaml
from pydantic import ValidationError

from hds_audit.catalog.models import Binding


def contract_problems(text: str, bindings: dict[str, Binding]) -> list[str]:
    """One "line N: ..." message per fault, in the file's order; empty when every binding keeps the contracts."""
    from hds_audit.checks.registry import all_checks, known_ids

    specs, known = all_checks(), known_ids()
    problems: list[tuple[tuple, str]] = []
    for control_id, binding in bindings.items():
        for index, ref in enumerate(binding.checks):
            where = ("bindings", control_id, "checks", index)
            if ref.id not in known:
                problems.append((where, f"binding '{control_id}': unknown check id '{ref.id}'{_near(ref.id, known)}"))
                continue
            spec = specs.get(ref.id)
            if spec is None:
                continue  # a contract id no module implements yet: the run says so (`error`)
            try:
                spec.params.model_validate(ref.params)
            except ValidationError as exc:
                declared = list(spec.params.model_fields)
                for error in exc.errors():
                    key = str(error["loc"][0]) if error["loc"] else ""
                    if error["type"] == "extra_forbidden":
                        takes = ", ".join(declared) or "no parameter"
                        reason = f"unknown parameter '{key}'{_near(key, declared)} ({ref.id} takes {takes})"
                    else:
                        reason = f"parameter '{key}': {error['msg']}"
                    problems.append(((*where, "params", key), f"binding '{control_id}', check {ref.id}: {reason}"))
    if not problems:
        return []
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # only on a fault: the node tree knows the lines
    return [f"line {_line(root, where)}: {message}" for where, message in problems]


def _near(word: str, choices) -> str:
    close = get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _line(node: Any, path: tuple) -> int:
    """The line of the deepest node of `path` the document has (1-based)."""
    line = node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == step), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line
