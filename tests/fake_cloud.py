"""A fake Flexible Engine API on 127.0.0.1 for the collect tests: the tenant of fake_tenant.py, paged answers,
a check of every request's SDK-HMAC-SHA256 signature, and faults the tests inject.

The signature is checked as the public API signing guide describes it (APIG "AK/SK signing"): canonical
request = method, URI path ending in "/", sorted URL-encoded query, the signed headers `name:value` lines,
the signed header names, SHA-256 of the body; string to sign = "SDK-HMAC-SHA256", X-Sdk-Date,
SHA-256 of the canonical request; signature = HMAC-SHA256 of it keyed with the secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import fake_tenant as t

AK = "HDSAUDITFAKEAK0000001"
SK = "fakeSecretKey/ForTheLoopbackServerOnly+0"


@dataclass
class Fault:
    path: str  # a regular expression matched against the request path
    status: int = 500
    times: int = 1_000_000  # how many matching requests get the fault
    delay: float = 0.0  # seconds before answering (a time-out when above the client's)
    headers: dict = field(default_factory=dict)
    hits: int = 0


def _page(records: list, query: dict, by: str = "records") -> list:
    limit = int(query.get("limit", 1000))
    if by == "marker":
        marker = query.get("marker")
        start = next((i + 1 for i, r in enumerate(records) if r["id"] == marker), 0) if marker else 0
    elif by == "pages":
        start = (int(query.get("offset", 1)) - 1) * limit
    else:
        start = int(query.get("offset", 0))
    return records[start:start + limit]


def routes() -> list[tuple[str, object]]:
    servers = [t.ecs_server(*s) for s in t.SERVERS]
    volumes = [t.evs_volume(*v) for v in t.VOLUMES]
    backups = t.cbr_backups()
    users = {u[0]: u for u in t.USERS}
    project = "(?P<project>[0-9a-f]{32})"
    return [
        (r"/v3/auth/domains", lambda m, q: {"domains": [{"id": t.DOMAIN, "name": "tilleuls", "enabled": True, "description": ""}],
                                             "links": {"self": "https://iam.example/v3/auth/domains"}}),
        (r"/v3/auth/projects", lambda m, q: {"projects": [{"id": pid, "name": name, "domain_id": t.DOMAIN, "enabled": True,
                                                            "is_domain": False, "parent_id": t.DOMAIN, "description": ""}
                                                           for name, pid in t.PROJECTS.items()], "links": {}}),
        (r"/v3/users", lambda m, q: {"users": [t.iam_user_listed(*u) for u in t.USERS], "links": {"self": "https://iam.example/v3/users"}}),
        (r"/v3\.0/OS-USER/users/(?P<uid>\w+)", lambda m, q: {"user": t.iam_user_details(*users[m["uid"]])}),
        (r"/v3\.0/OS-MFA/virtual-mfa-devices", lambda m, q: t.mfa_devices()),
        (r"/v3\.0/OS-USER/login-protects", lambda m, q: t.login_protects()),
        (rf"/v1/{project}/cloudservers/detail", lambda m, q: {"count": len(servers), "servers": _page(servers, q, "pages")}),
        (rf"/v2/{project}/cloudvolumes/detail", lambda m, q: {"count": len(volumes), "volumes": _page(volumes, q)}),
        (rf"/v3/{project}/instances", lambda m, q: {"instances": _page([t.RDS], q), "total_count": 1}),
        (rf"/v3/{project}/instances/\w+/backups/offsite-policy", lambda m, q: t.RDS_OFFSITE),
        (rf"/v3/{project}/elb/listeners", lambda m, q: {"listeners": _page(t.LISTENERS, q, "marker"), "request_id": "req-0001",
                                                         "page_info": {"current_count": len(_page(t.LISTENERS, q, "marker"))}}),
        (rf"/v2/{project}/elb/listeners", lambda m, q: {"listeners": _page(t.SHARED_LISTENERS, q, "marker"),
                                                         "listeners_links": []}),
        (rf"/v3/{project}/elb/security-policies", lambda m, q: {"security_policies": [], "request_id": "req-0002",
                                                                 "page_info": {"current_count": 0}}),
        (rf"/v3/{project}/trackers", lambda m, q: {"trackers": [t.TRACKER]}),
        (rf"/v3/{project}/backups", lambda m, q: {"backups": _page(backups, q), "count": len(backups),
                                                   "offset": int(q.get("offset", 0)), "limit": int(q.get("limit", 1000))}),
        (rf"/v3/{project}/vaults", lambda m, q: {"vaults": _page([t.VAULT], q), "count": 1}),
        (rf"/v3/{project}/policies", lambda m, q: {"policies": [t.POLICY], "count": 1}),
    ]


class FakeCloud:
    """Start with `with FakeCloud() as cloud:`; `cloud.url` is the endpoint of every service."""

    def __init__(self):
        self.requests: list[dict] = []  # method, path, query, signed (bool), status, headers
        self.faults: list[Fault] = []
        self.csbs: list[dict] = []  # CSBS checkpoint items and VBS backups the tenant has (none: CBR replaced them)
        self.vbs: list[dict] = []
        project = "(?P<project>[0-9a-f]{32})"
        extra = [(rf"/v1/{project}/checkpoint_items", lambda m, q: {"checkpoint_items": _page(self.csbs, q), "count": len(self.csbs)}),
                 (rf"/v2/{project}/backups/detail", lambda m, q: {"backups": _page(self.vbs, q)})]
        self.routes = [(re.compile(p + "$"), f) for p, f in routes() + extra]
        self.empty_regions: set[str] = set()  # projects whose regional listings are empty
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet test output
                pass

            def do_GET(self):
                cloud.answer(self)

            def _refuse(self):
                cloud.requests.append({"method": self.command, "path": self.path, "status": 405, "signed": False})
                self.send_response(405)
                self.end_headers()

            do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if handler.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
            return self._s3(handler, parts.path)
        signed = verify_signature(handler.command, parts.path, parts.query, handler.headers)
        record = {"method": handler.command, "path": parts.path, "query": query, "signed": signed,
                  "headers": dict(handler.headers)}
        self.requests.append(record)
        status, body, headers = self._dispatch(parts.path, query, signed)
        record["status"] = status
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a time-out test)

    def _s3(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        """OBS's S3 API, for tests without moto: a tenant without buckets (ListBuckets, OBS API reference)."""
        signed = f"Credential={AK}/" in handler.headers["Authorization"]
        self.requests.append({"method": handler.command, "path": path, "query": {}, "signed": signed, "s3": True,
                              "headers": dict(handler.headers), "status": 200 if path == "/" else 404})
        body = (b'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://obs.myhwclouds.com/doc/2015-06-30/">'
                b"<Owner><ID>" + t.DOMAIN.encode() + b"</ID></Owner><Buckets/></ListAllMyBucketsResult>") if path == "/" else \
            b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code></Error>'
        handler.send_response(200 if path == "/" else 404)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _dispatch(self, path: str, query: dict, signed: bool):
        if not signed:
            return 401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}, {}
        for fault in self.faults:
            if re.search(fault.path, path) and fault.hits < fault.times:
                fault.hits += 1
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.status:
                    return fault.status, {"error_code": f"FAKE.{fault.status}", "error_msg": "injected fault"}, fault.headers
        for pattern, handler in self.routes:
            match = pattern.match(path)
            if match:
                answer = handler(match, query)
                if match.groupdict().get("project") in self.empty_regions:
                    answer = {k: ([] if isinstance(v, list) else v) for k, v in answer.items()}
                return 200, answer, {}
        return 404, {"error_code": "FAKE.404", "error_msg": f"no such path {path}"}, {}


def verify_signature(method: str, path: str, raw_query: str, headers) -> bool:
    auth = headers.get("Authorization", "")
    match = re.fullmatch(r"SDK-HMAC-SHA256 Access=(\S+), SignedHeaders=(\S+), Signature=([0-9a-f]{64})", auth)
    if not match or match[1] != AK or not headers.get("X-Sdk-Date"):
        return False
    signed_headers = match[2].split(";")
    canonical_uri = "/".join(quote(unquote(p), safe="~") for p in path.split("/"))
    canonical_uri += "" if canonical_uri.endswith("/") else "/"
    pairs = sorted(parse_qsl(raw_query, keep_blank_values=True))
    canonical_query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)
    lines = "".join(f"{name}:{(headers.get(name) or '').strip()}\n" for name in signed_headers)
    canonical = "\n".join([method, canonical_uri, canonical_query, lines, ";".join(signed_headers), hashlib.sha256(b"").hexdigest()])
    to_sign = "\n".join(["SDK-HMAC-SHA256", headers["X-Sdk-Date"], hashlib.sha256(canonical.encode()).hexdigest()])
    expected = hmac.new(SK.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match[3])
