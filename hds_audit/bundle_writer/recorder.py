"""The traces of one invented tenant, recorded event by event and written as CTS delivers them."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from hds_audit.bundle_writer.clock import PARIS, epoch_ms, from_ms, iso
from hds_audit.bundle_writer.files import BundleFiles
from hds_audit.bundle_writer.ids import Ids, Rng
from hds_audit.bundle_writer.traces import FE_DOMAIN, cts_key, cts_trace, cts_user, write_trace_file

SERVICE_HOST = {"ECS": "ecs", "EVS": "evs", "OBS": "oss", "IAM": "iam", "CBR": "cbr", "CTS": "cts"}
API_VERSION = {"ECS": "v2.1", "EVS": "v2", "IAM": "v3", "CBR": "v3", "CTS": "v3"}


class TenantTraces:
    """Ids and traces of one tenant. A trace goes to CTS's layout (one file per region, service and UTC day),
    or to the shape its Paris day is given in `day_dest` ("jsonl", "jsonl.gz", or ("envelope"|"single", path))."""

    def __init__(self, ids: Ids, key: str, domain_name: str, seed: int, prefixes: dict[str, str], ips: dict[str, str]):
        self.ids = ids
        self.key = key
        self.domain_name = domain_name
        self.domain_id = ids.hex(key, "domain")
        self.rng = Rng(seed)
        self.prefixes = prefixes  # region -> tracker file prefix
        self.ips = ips  # account -> source ip
        self.traces: list[tuple[str, str, object, dict]] = []  # region, service, destination, trace
        self.blackouts: list[tuple[str, datetime, datetime]] = []  # no trace reached the bucket
        self.day_dest: dict[tuple[str, date], object] = {}  # (region, Paris day) -> file shape
        self.count = 0

    def user_id(self, account: str) -> str:
        return self.ids.hex(self.key, "iam-user", account)

    def project_id(self, region: str) -> str:
        return self.ids.hex(self.key, "project", region)

    def endpoint(self, service: str, region: str) -> str:
        return f"https://{SERVICE_HOST[service]}.{region}.{FE_DOMAIN}"

    def _encoded(self, value):
        """CTS writes request/response sometimes as a JSON string, sometimes as an object."""
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":")) if self.rng.random() < 0.5 else value

    def user(self, account: str, when: datetime, *, mfa: bool = True) -> dict:
        u = cts_user(self.user_id(account), account, self.domain_id, self.domain_name)
        if self.rng.random() < 0.5:  # the newer trace format
            u["user_name"] = account
            u["principal_urn"] = f"iam::{self.domain_id}:user:{account}"
            u["type"] = "User"
            u["session_context"] = {"attributes": {
                "created_at": iso(when - timedelta(minutes=self.rng.int(2, 50))),
                "mfa_authenticated": "true" if mfa else "false",
            }}
        return u

    def blacked_out(self, region: str, when: datetime) -> bool:
        return any(b_region == region and start <= when < end for b_region, start, end in self.blackouts)

    def add(self, when: datetime, region: str, service: str, name: str, rtype: str, rid: str, rname: str, *,
            account: str | None = None, ttype: str = "ApiCall", code: int = 200, rating: str = "normal",
            request=None, response=None, path: str = "", event_type: str = "system", url: str | None = None,
            dest: object = None, mfa: bool = True) -> dict | None:
        if self.blacked_out(region, when):
            return None
        self.count += 1
        when = when.replace(microsecond=self.rng.int(0, 999) * 1000)
        endpoint = self.endpoint(service, region)
        more = {"api_version": API_VERSION[service]} if service in API_VERSION else {}
        # keyword order is the order the jitter is drawn in: keep it
        trace = cts_trace(
            self.ids.uuid(self.key, "trace", self.count), name, rating=rating, trace_type=ttype, event_type=event_type,
            service=service, resource_type=rtype, resource_id=rid, resource_name=rname,
            source_ip="" if account is None else self.ips.get(account, "203.0.113.10"),
            user=None if account is None else self.user(account, when, mfa=mfa),
            time=epoch_ms(when), record_time=epoch_ms(when) + self.rng.int(40, 900),
            code=str(code) if self.rng.random() < 0.5 else code,
            request=self._encoded(request), response=self._encoded(response), endpoint=endpoint,
            resource_url=url if url is not None else endpoint + path, **more)
        if dest is None:
            dest = self.day_dest.get((region, when.astimezone(PARIS).date()))
        self.traces.append((region, service, dest, trace))
        return trace

    # --- shortcuts for the usual events -----------------------------------------------------

    def login(self, when, region, account, **kw):
        return self.add(when, region, "IAM", "login", "user", self.user_id(account), account, account=account,
                        ttype="ConsoleAction", response={"login": "success"}, path="/v3/auth/tokens", **kw)

    def obs(self, when, region, account, name, bucket, key=None, *, ttype="ObsAPI", event_type="data", **kw):
        rid = bucket if key is None else f"{bucket}/{key}"
        url = f"https://{bucket}.oss.{region}.{FE_DOMAIN}/" + (key or "")
        return self.add(when, region, "OBS", name, "bucket" if key is None else "object", rid, bucket,
                        account=account, ttype=ttype, event_type=event_type, url=url, **kw)

    def checkpoint(self, when, region, vault):
        cp = self.ids.uuid(self.key, "checkpoint", vault["id"], when.isoformat())
        return self.add(when, region, "CBR", "createCheckpoint", "vault", vault["id"], vault["name"],
                        ttype="SystemAction", request={"checkpoint": {"parameters": {"auto_trigger": True}}},
                        response={"checkpoint": {"id": cp, "status": "protecting"}},
                        path=f"/v3/{self.project_id(region)}/checkpoints")

    def ecs(self, when, region, account, name, server, *, request=None, method_path="", **kw):
        return self.add(when, region, "ECS", name, "ecs", server["id"], server["name"], account=account,
                        ttype=kw.pop("ttype", None) or self.rng.pick(("ConsoleAction", "ApiCall")), request=request,
                        path=f"/v2.1/{self.project_id(region)}/servers/{server['id']}{method_path}", **kw)

    def evs(self, when, region, account, name, volume, *, request=None, **kw):
        return self.add(when, region, "EVS", name, "evs", volume["id"], volume["name"], account=account,
                        ttype=kw.pop("ttype", None) or self.rng.pick(("ConsoleAction", "ApiCall")), request=request,
                        path=f"/v2/{self.project_id(region)}/volumes/{volume['id']}", **kw)

    def iam(self, when, region, account, name, target, *, request=None, **kw):
        return self.add(when, region, "IAM", name, "user", self.user_id(target), target, account=account,
                        ttype="ConsoleAction", request=request, path=f"/v3/users/{self.user_id(target)}", **kw)

    # --- files -----------------------------------------------------------------------------

    def _groups(self) -> dict[tuple, list[dict]]:
        groups: dict[tuple, list[dict]] = {}
        for region, service, dest, trace in self.traces:
            if dest is None or dest in ("jsonl.gz", "jsonl"):
                key = ("layout", dest or "json.gz", region, service, from_ms(trace["time"]).date())
            else:
                key = ("file",) + tuple(dest)
            groups.setdefault(key, []).append(trace)
        return groups

    def write(self, files: BundleFiles) -> None:
        """Group the traces the way CTS delivers them to OBS (one file per service and day here)."""
        for key, traces in self._groups().items():
            traces.sort(key=lambda t: t["time"])
            if key[0] == "layout":
                _, ext, region, service, _day = key
                rel = cts_key(self.prefixes[region], region, from_ms(traces[0]["time"]), self.rng.hex(16), ext,
                              service=service)
                write_trace_file(files, rel, traces, "array" if ext == "json.gz" else "lines")
            else:
                _, shape, rel = key
                write_trace_file(files, rel, traces, {"envelope": "envelope", "single": "object"}[shape], pretty=True)
