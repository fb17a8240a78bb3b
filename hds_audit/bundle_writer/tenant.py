"""tenant.yaml, written by hand so that its comments can say why a value is what it is."""

from __future__ import annotations

from hds_audit.bundle_writer.files import q


def tenant_yaml(comment: str, tenant_id: str, name: str, support_plan: str, scope: str, *,
                allowed_regions: tuple[str, ...] = ("eu-west-0",), default_region: str = "eu-west-0",
                notes: dict[str, str] | None = None, extra: str = "", max_gap_hours: int = 24) -> str:
    """`scope` is YAML text; `notes` a comment after a key's value (spacing included); `extra` lines before policy."""
    notes = notes or {}
    lines = [
        f"# {comment}",
        f'tenant_id: "{tenant_id}"',
        f"name: {q(name)}",
        f"support_plan: {support_plan}",
        f"allowed_regions: [{', '.join(allowed_regions)}]",
        f"default_region: {default_region}{notes.get('default_region', '')}",
        "declared_regions: {}",
        f"scope: {scope}{notes.get('scope', '')}",
    ]
    return "\n".join(lines) + "\n" + extra + f"policy: {{trace_max_gap_hours: {max_gap_hours}}}\n"
