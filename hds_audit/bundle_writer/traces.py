"""Cloud Trace Service traces and their files, in the layout CTS writes to OBS:
`{root}/CloudTraces/{region}/{yyyy}/{m}/{d}/{tracker}/{service}/{prefix}_CloudTrace_{region}_{ts}Z_{rand}.{ext}`.
"""

from __future__ import annotations

import json
from datetime import datetime

from hds_audit.bundle_writer.files import BundleFiles, compact, gzipped

FE_DOMAIN = "prod-cloud-ocb.orange-business.com"
# what one file holds: a JSON array (CTS's own), one object per line, the CTS API's envelope, or one trace
SHAPES = ("array", "lines", "envelope", "object")


def cts_key(prefix: str, region: str, first: datetime, rand: str, ext: str = "json.gz", *,
            tracker: str = "system", service: str | None = "ECS", root: str = "traces") -> str:
    """Where CTS puts a file whose first trace is at `first` (UTC); service None: a tracker without service folders."""
    folder = f"{root}/CloudTraces/{region}/{first.year}/{first.month}/{first.day}/{tracker}"
    if service:
        folder += f"/{service}"
    return f"{folder}/{prefix}_CloudTrace_{region}_{first.strftime('%Y-%m-%dT%H-%M-%SZ')}_{rand}.{ext}"


def encode(traces: list[dict], shape: str = "array", *, pretty: bool = False) -> bytes:
    """The bytes of one trace file of `shape` (SHAPES); `pretty`: indented, as an API answer saved to a file."""
    if shape == "lines":
        return "".join(compact(t) + "\n" for t in traces).encode("utf-8")
    if shape == "envelope":  # what the CTS ListTraces API returns
        payload: object = {"traces": traces, "meta_data": {"count": len(traces), "marker": ""}}
    elif shape == "object":
        if len(traces) != 1:
            raise ValueError(f"a single-trace file holds one trace, not {len(traces)}")
        payload = traces[0]
    elif shape == "array":
        payload = traces
    else:
        raise ValueError(f"unknown trace file shape {shape!r}")
    if pretty:
        return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return compact(payload).encode("utf-8")


def write_trace_file(files: BundleFiles, rel: str, traces: list[dict], shape: str = "array", *,
                     pretty: bool = False, level: int = 9) -> None:
    """One trace file; gzip (mtime 0) when its name ends in .gz."""
    data = encode(traces, shape, pretty=pretty)
    files.write(rel, gzipped(data, level) if rel.lower().endswith(".gz") else data)


def cts_user(user_id: str, name: str, domain_id: str, domain_name: str) -> dict:
    return {"id": user_id, "name": name, "domain": {"id": domain_id, "name": domain_name}}


def cts_trace(trace_id: str, name: str, *, trace_type: str, service: str, resource_type: str, resource_id: str,
              resource_name: str, source_ip: str, user: dict | None, time: int, record_time: int, code: int | str,
              request: object, response: object, endpoint: str, rating: str = "normal", event_type: str | None = None,
              resource_url: str | None = None, **more: object) -> dict:
    """One trace with CTS's fields in CTS's order; `more` (api_version, project_id, ...) follows."""
    trace = {"trace_id": trace_id, "trace_name": name, "trace_rating": rating, "trace_type": trace_type}
    if event_type is not None:
        trace["event_type"] = event_type
    trace.update(service_type=service, resource_type=resource_type, resource_id=resource_id, resource_name=resource_name,
                 source_ip=source_ip, user=user, time=time, record_time=record_time, code=code, request=request,
                 response=response, endpoint=endpoint)
    if resource_url is not None:
        trace["resource_url"] = resource_url
    trace.update(more)
    return trace
