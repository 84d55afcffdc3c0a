"""DynamoDB item layout of the standalone registry (one table, three item kinds per application).

============  ==========  ================================  =========================================
item          pk          sk                                other attributes
============  ==========  ================================  =========================================
endpoint      APP#<app>   EP#<endpoint id, lower-cased>     doc, ver, gsi1pk/gsi1sk (ByUser),
                                                            gsi2pk/gsi2sk (ByAddress)
user          APP#<app>   USER#<user id>                    doc = {UserAttributes, EndpointIds}, ver
address       APP#<app>   ADDR#<channel>#<normalised addr>  doc = {EndpointId} (last updated), ver
============  ==========  ================================  =========================================

``doc`` is a JSON string, not a DynamoDB map: the endpoint is read and written whole, doubles
(``Metrics``, ``Location.Latitude``) round-trip exactly without ``Decimal`` conversions, and one
string attribute keeps the 15 KB endpoint comfortably inside the 400 KB item limit.
``ver`` is the optimistic-concurrency counter every write is conditioned on.
The address item points at the endpoint that last claimed a (channel, address), so the
"other endpoints with this address become INACTIVE" rule needs one BatchGetItem key, not a query
on the eventually consistent ByAddress index (which serves ``find_endpoints_by_address``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engagement.endpoints.rules import normalise_address

ENDPOINT_PREFIX = "EP#"
USER_PREFIX = "USER#"
ADDRESS_PREFIX = "ADDR#"
BY_USER_INDEX = "ByUser"
BY_ADDRESS_INDEX = "ByAddress"


def partition_key(application_id: str) -> str:
    return f"APP#{application_id}"


def endpoint_key(endpoint_id: str) -> str:
    """Pinpoint endpoint ids are case-insensitive."""
    return ENDPOINT_PREFIX + endpoint_id.lower()


def user_key(user_id: str) -> str:
    return USER_PREFIX + user_id


def address_key(channel_type: str, address: str) -> str:
    return f"{ADDRESS_PREFIX}{channel_type}#{normalise_address(channel_type, address)}"


def address_index_key(application_id: str, channel_type: str, address: str) -> str:
    return f"APP#{application_id}#{channel_type}#{normalise_address(channel_type, address)}"


def endpoint_address_key(document: dict[str, Any] | None) -> str | None:
    """The address item an endpoint claims, or None without both ChannelType and Address."""
    if not document or not document.get("ChannelType") or not document.get("Address"):
        return None
    return address_key(document["ChannelType"], document["Address"])


def endpoint_user_id(document: dict[str, Any] | None) -> str | None:
    return ((document or {}).get("User") or {}).get("UserId") or None


@dataclass(slots=True)
class Record:
    """One item as read (``version`` 0: it did not exist) and as it should be written."""

    sk: str
    data: dict[str, Any] | None
    version: int = 0
    dirty: bool = False


def decode(item: dict[str, Any]) -> Record:
    return Record(sk=item["sk"]["S"], data=json.loads(item["doc"]["S"]), version=int(item["ver"]["N"]))


def encode(application_id: str, record: Record) -> dict[str, Any]:
    """The full item to ``Put``, with the index keys of an endpoint item."""
    assert record.data is not None
    item: dict[str, Any] = {
        "pk": {"S": partition_key(application_id)},
        "sk": {"S": record.sk},
        "doc": {"S": json.dumps(record.data, separators=(",", ":"), ensure_ascii=False)},
        "ver": {"N": str(record.version + 1)},
    }
    if record.sk.startswith(ENDPOINT_PREFIX):
        user_id = endpoint_user_id(record.data)
        if user_id:
            item["gsi1pk"] = {"S": f"APP#{application_id}#USER#{user_id}"}
            item["gsi1sk"] = {"S": record.sk}
        if endpoint_address_key(record.data):
            index_key = address_index_key(application_id, record.data["ChannelType"], record.data["Address"])
            item["gsi2pk"] = {"S": index_key}
            item["gsi2sk"] = {"S": record.sk}
    return item
