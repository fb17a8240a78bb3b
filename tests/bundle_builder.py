"""Build small evidence bundles in a temporary folder, in the contract's formats, for tests
(through hds_audit.bundle_writer, the writer of the samples and the benchmark's bundles)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from hds_audit.bundle_writer.clock import epoch_ms as ms
from hds_audit.bundle_writer.files import REGISTER_COLUMNS, TICKET_COLUMNS, BundleFiles, compact
from hds_audit.bundle_writer.iam import mfa_listing, short_user
from hds_audit.bundle_writer.traces import FE_DOMAIN, cts_key, cts_trace, cts_user, write_trace_file

__all__ = ["REGISTER_COLUMNS", "TICKET_COLUMNS", "TENANT", "BundleBuilder", "ms", "trace"]

TENANT = {
    "tenant_id": "7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7",
    "name": "Centre Hospitalier de Test",
    "support_plan": "business",
    "allowed_regions": ["eu-west-0"],
    "scope": {"tag": "hds=true"},
}


def trace(user: str | None, at: str, name: str = "updateServer", service: str = "ECS", **extra) -> dict:
    """One trace by `user` (None: a SystemAction) at the ISO 8601 instant `at`; `extra` overrides or adds fields."""
    record = cts_trace(
        extra.pop("trace_id", f"t-{user}-{ms(at)}-{name}"), name,
        trace_type="SystemAction" if user is None else "ConsoleAction", service=service, resource_type="server",
        resource_id="srv-1", resource_name="srv-1", source_ip="192.0.2.10",
        user=None if user is None else cts_user(f"id-{user}", user, "d1", "chtest"),
        time=ms(at), record_time=ms(at) + 500, code="200", request="{}", response={"ok": True},
        endpoint=f"https://ecs.eu-west-0.{FE_DOMAIN}")
    record.update(extra)
    return record


class BundleBuilder(BundleFiles):
    def __init__(self, root: Path):
        super().__init__(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.tenant()

    def tenant(self, **overrides) -> BundleBuilder:
        self.write("tenant.yaml", yaml.safe_dump({**TENANT, **overrides}, sort_keys=False))
        return self

    def users(self, *users: dict) -> BundleBuilder:
        self.write("iam/users.json", compact({"users": [short_user(**u) for u in users]}))
        return self

    def mfa(self, *user_ids: str) -> BundleBuilder:
        self.write("iam/mfa.json", compact(mfa_listing([(u, f"mfa-{u}") for u in user_ids])))
        return self

    def table(self, rel: str, columns: list[str], rows: list[dict], delimiter: str = ",", bom: bool = False) -> BundleBuilder:
        super().table(rel, columns, rows, delimiter=delimiter, bom=bom, newline="\r\n")  # as csv's default dialect
        return self

    def register(self, *rows: dict, **kw) -> BundleBuilder:
        return self.table("access_register.csv", REGISTER_COLUMNS, list(rows), **kw)

    def tickets(self, *rows: dict) -> BundleBuilder:
        return self.table("tickets.csv", TICKET_COLUMNS, list(rows))

    def traces(self, records: list, region: str = "eu-west-0", name: str | None = None, shape: str = "array") -> BundleBuilder:
        """A trace file of `shape` under traces/: `name`, else one in CTS's layout (its records' one service folder,
        else ECS: a mixed file)."""
        services = {str(r.get("service_type") or "ECS").upper() for r in records if isinstance(r, dict)}
        folder = services.pop() if len(services) == 1 else "ECS"
        count = len(list((self.root / "traces").rglob("*"))) if (self.root / "traces").exists() else 0
        rel = f"traces/{name}" if name else cts_key("cts", region, datetime(2026, 7, 1, tzinfo=UTC), f"{count:04x}",
                                                    service=folder)
        write_trace_file(self, rel, records, shape, level=9)
        return self
