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
from hds_audit.i18n.messages import Message, msg, nmsg

SILENT = {"cbr": msg("the CBR listing states no encryption (no extend_info.encrypted, as for server backups)"),
          "csbs": msg("the CSBS listing states no encryption"), "vbs": msg("the VBS listing states no encryption")}


@dataclass(frozen=True)
class Verdict:
    encrypted: bool | None  # None: cannot be told
    how: Message  # how it was found, for the finding and the details (in English)
    refs: tuple[str, ...] = ()  # the resources it was derived from


def backup_encryption(backup, inventory: Inventory) -> Verdict:
    if backup.encrypted is not None:
        return Verdict(backup.encrypted, msg("extend_info.encrypted is {value} in the {source} listing",
                                             value=str(backup.encrypted).lower(), source=backup.source.upper()))
    silent = SILENT.get(backup.source, msg("the listing states no encryption"))
    owner, via = inventory.owner_of(backup.resource_id)
    if owner is None:
        return Verdict(None, msg("{silent} and its resource {resource} is not in the Terraform state", silent=silent,
                                 resource=backup.resource_id))
    if via is not None:
        return Verdict(None, msg("{silent}; volume {volume} is {via}, and the Terraform state holds no volume for it, so its "
                                 "encryption is not recorded", silent=silent, volume=backup.resource_id, via=via), (owner.ref,))
    if owner.type == VOLUME:
        return _from_volumes(silent, [backup.resource_id], inventory, (owner.ref,))
    if owner.type == SERVER:
        volumes = server_volumes(owner.attributes)
        if not volumes:
            return Verdict(None, msg("{silent} and server {server} records no system_disk_id nor volume_attached", silent=silent,
                                     server=owner.id), (owner.ref,))
        return _from_volumes(silent, volumes, inventory, (owner.ref,))
    return Verdict(None, msg("{silent} and its resource is a {type}, whose encryption is not judged from the state", silent=silent,
                             type=owner.type), (owner.ref,))


def _from_volumes(silent: Message, volume_ids: list[str], inventory: Inventory, refs: tuple[str, ...]) -> Verdict:
    found = (inventory.owner_of(v)[0] for v in volume_ids)
    volumes = {r.id: r for r in found if r is not None and r.type == VOLUME}
    unknown = [v for v in volume_ids if v not in volumes]
    plain = [v for v in volume_ids if v in volumes and not volume_encrypted(volumes[v].attributes)]
    refs = refs + tuple(volumes[v].ref for v in volume_ids if v in volumes and volumes[v].ref not in refs)
    if plain:
        return Verdict(False, msg("derived from its volumes ({silent}): {volumes} not encrypted (metadata.__system__encrypted "
                                  "is not 1)", silent=silent, volumes=tuple(plain)), refs)
    if unknown:
        return Verdict(None, nmsg("{silent}, and its volume(s) {volumes} are not in the Terraform state, so whether every "
                                  "volume it copies is encrypted cannot be told",
                                  "{silent}, and its volume(s) {volumes} are not in the Terraform state, so whether every "
                                  "volume it copies is encrypted cannot be told",
                                  n=len(unknown), silent=silent, volumes=tuple(unknown)), refs)
    return Verdict(True, msg("derived from its volumes ({silent}): {volumes} encrypted", silent=silent, volumes=tuple(volume_ids)), refs)
