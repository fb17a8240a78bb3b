"""Calls to the tenant's APIs through the Huawei Cloud Python SDK: credentials, endpoints, retries, the log.

Credentials come from the environment only, as the SDK names them (`HUAWEICLOUD_SDK_AK`,
`HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_DOMAIN_ID`, `HUAWEICLOUD_SDK_PROJECT_ID`) or as the
Flexible Engine Terraform provider does (`OS_ACCESS_KEY`, `OS_SECRET_KEY`, `OS_DOMAIN_ID`,
`OS_PROJECT_ID`). They are never printed nor written: the log records service, region, method,
path, status, count and time, and the SDK signs each request itself (SDK-HMAC-SHA256).

Retries (documented in docs/user-guide.md): an answer 429 (throttled) or 503 is retried at most
RETRIES times, after the `Retry-After` the server gives (capped at MAX_WAIT seconds), else after
1, 2, 4 seconds. Anything else (403, 404, a time-out, a refused connection) is not retried: it is
reported, and the unit it belongs to is left for a re-run.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Any

from hds_audit.calendar.instants import PARIS
from hds_audit.collect import rest
from hds_audit.collect.interface import DEFAULT_ENDPOINTS, ENDPOINT_OF, READ_ONLY_OPERATIONS, CannotStart, Unavailable

RETRIES = 3
MAX_WAIT = 30.0
TIMEOUT = 30.0  # seconds to connect and to wait for an answer, per request
PAGE = 100  # records asked per page

# service -> (SDK module, client class); credentials are per project except for IAM (global)
SDK: dict[str, tuple[str, str]] = {
    "iam": ("huaweicloudsdkiam.v3", "IamClient"),
    "ecs": ("huaweicloudsdkecs.v2", "EcsClient"),
    "evs": ("huaweicloudsdkevs.v2", "EvsClient"),
    "rds": ("huaweicloudsdkrds.v3", "RdsClient"),
    "elb": ("huaweicloudsdkelb.v3", "ElbClient"),
    "elb_v2": ("huaweicloudsdkelb.v2", "ElbClient"),
    "cts": ("huaweicloudsdkcts.v3", "CtsClient"),
    "cbr": ("huaweicloudsdkcbr.v1", "CbrClient"),
}
ENV = {
    "ak": ("HUAWEICLOUD_SDK_AK", "OS_ACCESS_KEY"),
    "sk": ("HUAWEICLOUD_SDK_SK", "OS_SECRET_KEY"),
    "domain_id": ("HUAWEICLOUD_SDK_DOMAIN_ID", "OS_DOMAIN_ID"),
    "project_id": ("HUAWEICLOUD_SDK_PROJECT_ID", "OS_PROJECT_ID"),
}


@dataclass(frozen=True)
class Credentials:
    ak: str = field(repr=False)
    sk: str = field(repr=False)
    domain_id: str | None = None
    project_id: str | None = None

    @classmethod
    def from_env(cls, environ=os.environ) -> Credentials:
        found = {key: next((environ[n].strip() for n in names if environ.get(n, "").strip()), None) for key, names in ENV.items()}
        if not (found["ak"] and found["sk"]):
            raise CannotStart("no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or OS_ACCESS_KEY and "
                              "OS_SECRET_KEY) to an access key of a read-only account")
        return cls(**found)


def endpoints(overrides: list[str]) -> dict[str, str]:
    """The default endpoints with `SERVICE=URL` overrides (the URL may hold `{region}`)."""
    chosen = dict(DEFAULT_ENDPOINTS)
    for item in overrides:
        service, _, url = item.partition("=")
        service, url = service.strip().lower(), url.strip().rstrip("/")
        if service not in DEFAULT_ENDPOINTS or not url.startswith(("http://", "https://")):
            raise CannotStart(f"--endpoint {item!r}: expected SERVICE=URL, SERVICE one of {', '.join(DEFAULT_ENDPOINTS)}")
        chosen[service] = url
    return chosen


class Api:
    """The SDK clients of one collection, the requests they made, and the project of each region."""

    def __init__(self, credentials: Credentials, endpoint_map: dict[str, str], log: Callable[[dict], None],
                 timeout: float = TIMEOUT, sleep: Callable[[float], None] = time.sleep):
        self.credentials, self.endpoint_map, self.log, self.timeout, self.sleep = credentials, endpoint_map, log, timeout, sleep
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._projects: dict[str, str] | None = None
        self._domain: str | None = credentials.domain_id
        self._last: dict[str, Any] = {}

    # -- clients ------------------------------------------------------------------------------
    def shown(self, service: str, region: str | None) -> str:
        """The endpoint as messages show it: never a user:password a private URL may carry."""
        return re.sub(r"//[^/@]*@", "//", self.endpoint(service, region))

    def endpoint(self, service: str, region: str | None) -> str:
        return self.endpoint_map[ENDPOINT_OF.get(service, service)].replace("{region}", region or "eu-west-0")

    def client(self, service: str, region: str | None):
        key = (service, None if service == "iam" else region)
        if key not in self._clients:
            self._clients[key] = self._build(service, region)
        return self._clients[key]

    def _build(self, service: str, region: str | None):
        from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
        from huaweicloudsdkcore.http.http_config import HttpConfig
        from huaweicloudsdkcore.http.http_handler import HttpHandler

        if service in rest.PATHS:
            client_class = rest.client_class()
        else:
            module, name = SDK[service]
            client_class = getattr(import_module(module), name)
        config = HttpConfig.get_default_config()
        config.timeout = (min(self.timeout, 10.0), self.timeout)
        config.retry_times = 0  # retries are ours: bounded and logged
        if service == "iam":
            credentials = GlobalCredentials(self.credentials.ak, self.credentials.sk, self._domain)
        else:
            credentials = BasicCredentials(self.credentials.ak, self.credentials.sk, self.project(region))
        sdk_logger = logging.getLogger(f"HuaweiCloud-SDK-{client_class.__name__}")
        if not sdk_logger.handlers:  # the SDK's own error lines would repeat ours, unworded, on stderr
            sdk_logger.addHandler(logging.NullHandler())
        handler = HttpHandler().add_response_handler(self._seen)
        return (client_class.new_builder().with_credentials(credentials).with_endpoint(self.endpoint(service, region))
                .with_http_config(config).with_http_handler(handler).build())

    def _seen(self, **kwargs) -> None:
        response = kwargs.get("response")
        if response is not None:
            request = response.request
            self._last = {"method": request.method, "path": request.path_url, "status": response.status_code,
                          "retry_after": _seconds(response.headers.get("Retry-After"))}

    # -- the domain and the project of each region ---------------------------------------------------
    def domain_id(self) -> str:
        if self._domain is None:
            answer = self.call("iam", None, "keystone_list_auth_domains")
            domains = answer.get("domains") or []
            if len(domains) != 1 or not domains[0].get("id"):
                raise Unavailable(f"IAM lists {len(domains)} account(s) for this access key, expected one: set HUAWEICLOUD_SDK_DOMAIN_ID")
            self._domain = str(domains[0]["id"])
            self._clients.pop(("iam", None), None)  # rebuilt with the domain id
        return self._domain

    def project(self, region: str | None) -> str:
        """The project of a region: Flexible Engine names each region's project after the region."""
        if self.credentials.project_id and self._projects is None:
            return self.credentials.project_id
        if self._projects is None:
            self.domain_id()
            answer = self.call("iam", None, "keystone_list_auth_projects")
            self._projects = {str(p.get("name")): str(p.get("id")) for p in answer.get("projects") or [] if p.get("id")}
        if region not in self._projects:
            raise Unavailable(f"region {region}: the access key has no project there (IAM lists "
                              f"{', '.join(sorted(self._projects)) or 'none'})")
        return self._projects[region]

    # -- one call -----------------------------------------------------------------------------------
    def call(self, service: str, region: str | None, operation: str, **params) -> dict:
        """The raw JSON answer of one read-only operation, retried on throttling."""
        if operation not in READ_ONLY_OPERATIONS.get(service, ()):
            raise ValueError(f"{service}.{operation} is not a read-only operation of the collector")
        import requests
        from huaweicloudsdkcore.exceptions import exceptions as sdk

        if service in rest.PATHS:  # no SDK package: the documented path, through the SDK's core
            path = rest.PATHS[service][operation]

            def send(client):
                return client.get(path, params)
        else:
            request = getattr(import_module(SDK[service][0]), request_class(operation))(**params)

            def send(client):
                return getattr(client, operation)(request)
        for attempt in range(RETRIES + 1):
            self._last, started = {}, time.monotonic()
            try:
                response = send(self.client(service, region))
            except sdk.ServiceResponseException as exc:
                status = exc.status_code
                self._record(service, region, operation, started, status, None, exc.error_code)
                if status in (429, 503) and attempt < RETRIES:
                    self.sleep(self._wait(attempt))
                    continue
                raise Unavailable(_refusal(service, region, status, exc), status=status) from None
            except (sdk.SdkException, requests.exceptions.RequestException) as exc:
                if isinstance(exc, (sdk.RequestTimeoutException, requests.exceptions.Timeout)) or "timed out" in str(exc):
                    self._record(service, region, operation, started, None, None, "timeout")
                    raise Unavailable(f"{service} {region or ''}: no answer within {self.timeout:g} s at "
                                      f"{self.shown(service, region)}".replace("  ", " ")) from None
                self._record(service, region, operation, started, None, None, type(exc).__name__)
                raise Unavailable(f"{service} {region or ''}: cannot reach {self.shown(service, region)} "
                                  f"({type(exc).__name__})".replace("  ", " ")) from None
            answer = _json(response)
            self._record(service, region, operation, started, getattr(response, "status_code", None) or 200, _count(answer), None)
            return answer
        raise AssertionError("unreachable")

    def _wait(self, attempt: int) -> float:
        retry_after = self._last.get("retry_after")
        if retry_after is not None:
            return min(float(retry_after), MAX_WAIT)
        return min(2.0 ** attempt, MAX_WAIT)

    def _record(self, service, region, operation, started, status, count, error) -> None:
        entry = {"service": service, "region": region, "operation": operation, "method": self._last.get("method", "GET"),
                 "path": self._last.get("path"), "status": status if status is not None else self._last.get("status"),
                 "count": count, "seconds": round(time.monotonic() - started, 3),
                 "at": datetime.now(PARIS).replace(microsecond=0).isoformat()}
        if error:
            entry["error"] = str(error)[:80]
        self.log(entry)


def request_class(operation: str) -> str:
    """The SDK's request model of an operation: list_servers_details -> ListServersDetailsRequest."""
    return "".join(word.capitalize() for word in operation.split("_")) + "Request"


def _json(response) -> dict:
    raw = getattr(response, "raw_content", None)
    try:
        answer = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Unavailable("an answer is not JSON") from None
    if not isinstance(answer, dict):
        raise Unavailable("an answer is not a JSON object")
    return answer


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: wait by our own schedule instead


def _count(answer: dict) -> int | None:
    """How many records an answer lists: the length of its one list."""
    lists = [v for v in answer.values() if isinstance(v, list)]
    return len(lists[0]) if len(lists) == 1 else None


def _refusal(service: str, region: str | None, status: int | None, exc) -> str:
    where = f"{service} {region}" if region else service
    code = f" {exc.error_code}" if getattr(exc, "error_code", None) else ""
    if status == 403:
        return f"{where}: access refused (403{code}): the account lacks a read permission there, or the region is not open to it"
    if status == 401:
        return f"{where}: authentication failed (401{code}): check the access key"
    if status == 429:
        return f"{where}: still throttled (429) after {RETRIES} retries"
    return f"{where}: the API answered {status}{code}"


# -- paging -------------------------------------------------------------------------------------
MAX_PAGES = 10_000  # a server that never stops paging must not keep the collector forever


def pages(api: Api, service: str, region: str | None, operation: str, key: str,
          style: str = "records", **params) -> dict:
    """Every page of a listing, merged into its first answer: `key` holds all the records.

    style: `records` (offset counts records, from 0), `pages` (offset counts pages, from 1, as ECS)
    or `marker` (the next page starts after the last record's id, as ELB v3).
    """
    first: dict | None = None
    records: list = []
    seen: set[str] = set()
    offset, marker = (1 if style == "pages" else 0), None
    for _ in range(MAX_PAGES):
        paging = {"limit": PAGE} | ({"marker": marker} if style == "marker" and marker else {})
        if style != "marker":
            paging["offset"] = offset
        answer = api.call(service, region, operation, **params, **paging)
        batch = answer.get(key)
        if not isinstance(batch, list):
            raise Unavailable(f"{service} {region or ''}: the {operation} answer has no {key!r} list".replace("  ", " "))
        first = first if first is not None else answer
        fresh = [r for r in batch if _record_id(r) not in seen]
        if batch and not fresh:
            raise Unavailable(f"{service} {region or ''}: {operation} pages do not advance (the same records again)")
        for r in fresh:
            seen.add(_record_id(r))
        records += fresh
        if len(batch) < PAGE:
            break
        offset += 1 if style == "pages" else len(batch)
        marker = _record_id(batch[-1])
    else:
        raise Unavailable(f"{service} {region or ''}: {operation} still pages after {MAX_PAGES} pages")
    merged = dict(first or {})
    merged[key] = records
    return merged


def listing(api: Api, service: str, region: str | None, operation: str, key: str, **params) -> dict:
    """An answer that is not paged, checked to hold its `key` list."""
    answer = api.call(service, region, operation, **params)
    if not isinstance(answer.get(key), list):
        raise Unavailable(f"{service} {region or ''}: the {operation} answer has no {key!r} list".replace("  ", " "))
    return answer


def _record_id(record: Any) -> str:
    if isinstance(record, dict) and record.get("id") is not None:
        return str(record["id"])
    return json.dumps(record, sort_keys=True, default=str)
