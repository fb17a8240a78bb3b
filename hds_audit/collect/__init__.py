"""`hds-audit collect`: copy evidence from the tenant's own APIs into a bundle.

* `traces` (hds_audit.collect.traces): the CTS files of a period, from the tracker's OBS bucket;
* `iam`, `backups`, `inventory` (hds_audit.collect.api and one module per service): the IAM users
  and MFA settings, the backup listings and the resources, through the Huawei Cloud Python SDK
  (the optional extra `hds-audit[collect]`), in the bundle formats the readers expect.
"""

from hds_audit.collect.traces import (  # noqa: F401 - the traces collector's public names, as before
    ATTEMPTS,
    COLLECTION_LOG,
    PARTIAL_SUFFIX,
    CollectError,
    Outcome,
    RemoteFile,
    Source,
    collect_traces,
    day_window,
    describe,
    list_period_files,
    open_fs,
    parse_source,
    read_log,
)
