"""Whether a backup is encrypted, and how that was found (backup.encrypted).

The listings do not always say: CBR writes `extend_info.encrypted` for disk backups only, CSBS and VBS
have no encryption field at all. A backup copies volumes, so where the listing is silent it is
encrypted exactly when every volume it copies is encrypted in the resources:

* a volume's backup: that `flexibleengine_blockstorage_volume_v2` (`metadata.__system__encrypted` 1);
* a server's backup: the server's system disk (`system_disk_id`) and each of `volume_attached[].uuid`;
* a VBS backup whose `volume_id` is a server's disk that the state holds no volume for (a system disk
  created with the server): its encryption is not recorded, so it cannot be told (`error`).
"""

from __future__ import annotations

from dataclasses import dataclass

from hds_audit.checks.configuration import volume_encrypted
from hds_audit.evidence.resources import SERVER, VOLUME, Inventory, server_volumes

SILENT = {"cbr": "the CBR listing states no encryption (no extend_info.encrypted, as for server backups)",
          "csbs": "the CSBS listing states no encryption", "vbs": "the VBS listing states no encryption"}


@dataclass(frozen=True)
class Verdict:
    encrypted: bool | None  # None: cannot be told
    how: str  # how it was found, for the finding and the details
    refs: tuple[str, ...] = ()  # the resources it was derived from


def backup_encryption(backup, inventory: Inventory) -> Verdict:
    if backup.encrypted is not None:
        return Verdict(backup.encrypted, f"extend_info.encrypted is {str(backup.encrypted).lower()} in the {backup.source.upper()} listing")
    silent = SILENT.get(backup.source, "the listing states no encryption")
    owner, via = inventory.owner_of(backup.resource_id)
    if owner is None:
        return Verdict(None, f"{silent} and its resource {backup.resource_id} is not in the Terraform state")
    if via is not None:
        return Verdict(None, f"{silent}; volume {backup.resource_id} is {via}, and the Terraform state holds no volume "
                             "for it, so its encryption is not recorded", (owner.ref,))
    if owner.type == VOLUME:
        return _from_volumes(silent, [backup.resource_id], inventory, (owner.ref,))
    if owner.type == SERVER:
        volumes = server_volumes(owner.attributes)
        if not volumes:
            return Verdict(None, f"{silent} and server {owner.id} records no system_disk_id nor volume_attached", (owner.ref,))
        return _from_volumes(silent, volumes, inventory, (owner.ref,))
    return Verdict(None, f"{silent} and its resource is a {owner.type}, whose encryption is not judged from the state", (owner.ref,))


def _from_volumes(silent: str, volume_ids: list[str], inventory: Inventory, refs: tuple[str, ...]) -> Verdict:
    found = (inventory.owner_of(v)[0] for v in volume_ids)
    volumes = {r.id: r for r in found if r is not None and r.type == VOLUME}
    unknown = [v for v in volume_ids if v not in volumes]
    plain = [v for v in volume_ids if v in volumes and not volume_encrypted(volumes[v].attributes)]
    refs = refs + tuple(volumes[v].ref for v in volume_ids if v in volumes and volumes[v].ref not in refs)
    named = ", ".join(volume_ids)
    if plain:
        return Verdict(False, f"derived from its volumes ({silent}): {', '.join(plain)} not encrypted "
                              "(metadata.__system__encrypted is not 1)", refs)
    if unknown:
        return Verdict(None, f"{silent}, and its volume(s) {', '.join(unknown)} are not in the Terraform state, "
                             "so whether every volume it copies is encrypted cannot be told", refs)
    return Verdict(True, f"derived from its volumes ({silent}): {named} encrypted", refs)
