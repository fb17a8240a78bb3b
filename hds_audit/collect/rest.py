"""Documented GET paths of services the Huawei Cloud Python SDK has no package for (CSBS, VBS),
called through the SDK's core: the same credentials, request signature (SDK-HMAC-SHA256),
endpoint handling and HTTP settings as every other call, and the raw JSON answer kept whole.

The paths are Flexible Engine's API references: CSBS "Querying All Backups"
(`GET /v1/{project_id}/checkpoint_items`, paged by `limit` and `offset`) and VBS "Querying
Backup Details" (`GET /v2/{project_id}/backups/detail`, paged the same way, as Cinder's v2
backups API). The core fills `{project_id}` from the credentials.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

# service -> operation -> path; an operation named here must also be in interface.READ_ONLY_OPERATIONS
PATHS: dict[str, dict[str, str]] = {
    "csbs": {"list_checkpoint_items": "/v1/{project_id}/checkpoint_items"},
    "vbs": {"list_backups_details": "/v2/{project_id}/backups/detail"},
}


@cache
def client_class():
    """The SDK core's Client, taught to GET a path (imported on first use: the SDK is an optional extra)."""
    from huaweicloudsdkcore.client import Client, ClientBuilder
    from huaweicloudsdkcore.sdk_response import SdkResponse

    class RestResponse(SdkResponse):
        """An answer read as raw JSON only (Api reads `raw_content`), never into SDK models."""

        openapi_types: dict = {}
        attribute_map: dict = {}

    class RestClient(Client):
        def __init__(self):
            super().__init__()
            self.model_package = SimpleNamespace(RestResponse=RestResponse)

        @classmethod
        def new_builder(cls, clazz=None):
            return ClientBuilder(cls)

        def get(self, path: str, query: dict):
            return self.do_http_request(method="GET", resource_path=path, path_params={},
                                        query_params=[(k, v) for k, v in query.items() if v is not None],
                                        header_params={"Content-Type": "application/json"}, response_type="RestResponse")

    return RestClient
