"""Build small evidence bundles in a temporary folder, in the contract's formats, for tests."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import yaml

TENANT = {
    "tenant_id": "7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7",
    "name": "Centre Hospitalier de Test",
    "support_plan": "business",
    "allowed_regions": ["eu-west-0"],
    "scope": {"tag": "hds=true"},
}
REGISTER_COLUMNS = ["account", "person", "email", "role", "granted_at", "revoked_at", "approved_by", "ticket", "owner"]
TICKET_COLUMNS = ["ticket_id", "category", "priority", "opened_at", "responded_at", "resolved_at", "api_incident"]


def ms(text: str) -> int:
    """Epoch milliseconds of an ISO 8601 instant with offset."""
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def trace(user: str | None, at: str, name: str = "updateServer", service: str = "ECS", **extra) -> dict:
    record = {
        "trace_id": extra.pop("trace_id", f"t-{user}-{ms(at)}-{name}"),
        "trace_name": name,
        "trace_rating": "normal",
        "trace_type": "SystemAction" if user is None else "ConsoleAction",
        "service_type": service,
        "resource_type": "server",
        "resource_id": "srv-1",
        "resource_name": "srv-1",
        "source_ip": "192.0.2.10",
        "user": None if user is None else {"id": f"id-{user}", "name": user, "domain": {"id": "d1", "name": "chtest"}},
        "time": ms(at),
        "record_time": ms(at) + 500,
        "code": "200",
        "request": "{}",
        "response": {"ok": True},
        "endpoint": "https://ecs.eu-west-0.prod-cloud-ocb.orange-business.com",
    }
    record.update(extra)
    return record


class BundleBuilder:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.tenant(**{})

    def write(self, rel: str, data: bytes | str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def tenant(self, **overrides) -> "BundleBuilder":
        self.write("tenant.yaml", yaml.safe_dump({**TENANT, **overrides}, sort_keys=False))
        return self

    def users(self, *users: dict) -> "BundleBuilder":
        full = [{"id": f"id-{u['name']}", "enabled": True, "access_mode": "default", "is_domain_owner": False, **u} for u in users]
        self.write("iam/users.json", json.dumps({"users": full}))
        return self

    def mfa(self, *user_ids: str) -> "BundleBuilder":
        self.write("iam/mfa.json", json.dumps({"virtual_mfa_devices": [{"user_id": u, "serial_number": f"mfa-{u}"} for u in user_ids]}))
        return self

    def table(self, rel: str, columns: list[str], rows: list[dict], delimiter: str = ",", bom: bool = False) -> "BundleBuilder":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
        self.write(rel, ("\ufeff" if bom else "") + buffer.getvalue())
        return self

    def register(self, *rows: dict, **kw) -> "BundleBuilder":
        return self.table("access_register.csv", REGISTER_COLUMNS, list(rows), **kw)

    def tickets(self, *rows: dict) -> "BundleBuilder":
        return self.table("tickets.csv", TICKET_COLUMNS, list(rows))

    def traces(self, records: list, region: str = "eu-west-0", name: str | None = None, shape: str = "array") -> "BundleBuilder":
        # CTS writes each service into its own folder: the records' one service, else ECS (a mixed file)
        services = {str(r.get("service_type") or "ECS").upper() for r in records if isinstance(r, dict)}
        folder = services.pop() if len(services) == 1 else "ECS"
        name = name or f"CloudTraces/{region}/2026/7/1/system/{folder}/cts_CloudTrace_{region}_2026-07-01T00-00-00Z_{len(list((self.root / 'traces').rglob('*'))) if (self.root / 'traces').exists() else 0:04x}.json.gz"
        if shape == "array":
            payload = json.dumps(records)
        elif shape == "envelope":
            payload = json.dumps({"traces": records})
        elif shape == "object":
            payload = json.dumps(records[0])
        else:  # json lines
            payload = "\n".join(json.dumps(r) for r in records)
        data = payload.encode()
        self.write(f"traces/{name}", gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
        return self
