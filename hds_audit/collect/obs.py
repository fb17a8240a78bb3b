"""OBS buckets through OBS's S3-compatible API (as `collect traces` reads the trace bucket):
the bucket listing, and per bucket its location, default encryption, lifecycle rules and
cross-region replication. The same access key signs these requests (S3 signature v4).

A setting the bucket does not have (no lifecycle rule, no replication, no default encryption)
is recorded as null; any other refusal makes the file fail, naming the bucket and the setting.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from hds_audit.calendar.instants import PARIS
from hds_audit.collect.api import RETRIES, Api
from hds_audit.collect.interface import Unavailable

NOT_SET = {  # error codes meaning "this bucket has no such setting"
    "get_bucket_encryption": ("ServerSideEncryptionConfigurationNotFoundError", "NoSuchEncryptionConfiguration"),
    "get_bucket_lifecycle_configuration": ("NoSuchLifecycleConfiguration",),
    "get_bucket_replication": ("ReplicationConfigurationNotFoundError", "NoSuchReplicationConfiguration"),
}
SETTINGS = {"encryption": "get_bucket_encryption", "lifecycle": "get_bucket_lifecycle_configuration",
            "replication": "get_bucket_replication"}


def _client(api: Api, region: str):
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": RETRIES + 1, "mode": "standard"}, connect_timeout=min(api.timeout, 10.0),
                    read_timeout=api.timeout, s3={"addressing_style": "path"}, signature_version="s3v4")
    return boto3.client("s3", endpoint_url=api.endpoint("obs", region), region_name=region,
                        aws_access_key_id=api.credentials.ak, aws_secret_access_key=api.credentials.sk, config=config)


def _call(api: Api, client, region: str, operation: str, **params) -> dict | None:
    from botocore.exceptions import BotoCoreError, ClientError

    started = time.monotonic()
    entry: dict[str, Any] = {"service": "obs", "region": region, "operation": operation, "method": "GET",
                             "path": "/" + params.get("Bucket", "")}
    try:
        answer = getattr(client, operation)(**params)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code") or "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        api.log(entry | {"status": status, "count": None, "error": code[:80], "seconds": _since(started), "at": _now()})
        if code in NOT_SET.get(operation, ()):
            return None
        what = f"bucket {params['Bucket']}" if "Bucket" in params else "the bucket listing"
        raise Unavailable(f"obs {region}: {operation} on {what} refused ({status} {code})") from None
    except BotoCoreError as exc:
        api.log(entry | {"status": None, "count": None, "error": type(exc).__name__, "seconds": _since(started), "at": _now()})
        raise Unavailable(f"obs {region}: cannot reach {api.shown('obs', region)} ({type(exc).__name__})") from None
    answer.pop("ResponseMetadata", None)  # request ids and host names: not the bucket's settings
    lists = [v for v in answer.values() if isinstance(v, list)]
    api.log(entry | {"status": 200, "count": len(lists[0]) if len(lists) == 1 else None, "seconds": _since(started), "at": _now()})
    return _plain(answer)


def buckets(api: Api, regions: list[str]) -> tuple[dict, dict]:
    home = regions[0]
    listing = _call(api, _client(api, home), home, "list_buckets") or {}
    clients, details = {home: _client(api, home)}, {}
    for bucket in listing.get("Buckets") or []:
        name = bucket.get("Name")
        if not name:
            raise Unavailable("obs: the bucket listing holds a bucket without a name")
        location = (_call(api, clients[home], home, "get_bucket_location", Bucket=name) or {}).get("LocationConstraint") or home
        client = clients.setdefault(location, _client(api, location))
        details[name] = {"location": location} | {key: _call(api, client, location, op, Bucket=name) for key, op in SETTINGS.items()}
    return listing, details


def _plain(value: Any) -> Any:
    """JSON-ready: boto3 answers hold datetimes."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def _now() -> str:
    return datetime.now(PARIS).replace(microsecond=0).isoformat()
