"""Pinpoint's endpoint rules as plain functions: no boto3, no pydantic, cheap on the hot path.

Every check returns problems as ``"<field path>: <what is wrong>"`` strings instead of raising,
so a whole batch (or a whole CSV row) is reported at once. Messages never contain an address:
they end up in logs and on stderr.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

CHANNEL_TYPES = frozenset(
    {
        "PUSH", "GCM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "ADM",
        "SMS", "VOICE", "EMAIL", "BAIDU", "CUSTOM", "IN_APP",
    }
)  # fmt: skip
OPT_OUT_VALUES = frozenset({"ALL", "NONE"})
ENDPOINT_STATUSES = frozenset({"ACTIVE", "INACTIVE"})
MAX_ATTRIBUTE_NAME = 50
MAX_ATTRIBUTE_VALUE = 100
MAX_ATTRIBUTE_VALUES = 50
MAX_ATTRIBUTES_TOTAL = 250
MAX_ENDPOINTS_PER_USER = 15
MAX_BATCH_ITEMS = 100
MAX_ENDPOINT_BYTES = 15 * 1024

REQUEST_FIELDS = frozenset(
    {
        "Address", "Attributes", "ChannelType", "Demographic", "EffectiveDate", "EndpointStatus",
        "Location", "Metrics", "OptOut", "RequestId", "User",
    }
)  # fmt: skip
DEMOGRAPHIC_FIELDS = frozenset(
    {"AppVersion", "Locale", "Make", "Model", "ModelVersion", "Platform", "PlatformVersion", "Timezone"}
)
LOCATION_TEXT_FIELDS = frozenset({"City", "Country", "PostalCode", "Region"})
LOCATION_RANGES = {"Latitude": 90.0, "Longitude": 180.0}
USER_FIELDS = frozenset({"UserId", "UserAttributes"})

_EMAIL = re.compile(r"^[^@\s\"(),:;<>\[\\\]]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}$")
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
_PHONE_PUNCTUATION = str.maketrans("", "", " -().")
_PHONE_CHANNELS = frozenset({"SMS", "VOICE"})
_FORBIDDEN_ID_CHARACTERS = frozenset("${}")


def normalise_address(channel_type: str, address: str) -> str:
    """The form used to match addresses: trimmed, e-mail lower-cased, phone punctuation dropped."""
    address = address.strip()
    if channel_type == "EMAIL":
        return address.lower()
    if channel_type in _PHONE_CHANNELS:
        return address.translate(_PHONE_PUNCTUATION)
    return address


def address_problems(channel_type: Any, address: Any, path: str = "") -> list[str]:
    """E-mail must look like ``local@domain.tld``; SMS/VOICE must be E.164 (``+`` and 8-15 digits)."""
    if address is None:
        return []
    if not isinstance(address, str) or not address.strip():
        return [f"{path}Address: must be a non-empty string"]
    if len(address) > 254:
        return [f"{path}Address: longer than 254 characters"]
    normalised = normalise_address(channel_type, address)
    if channel_type == "EMAIL" and not _EMAIL.match(normalised):
        return [f"{path}Address: not a valid email address"]
    if channel_type in _PHONE_CHANNELS and not _E164.match(normalised):
        return [f"{path}Address: not an E.164 phone number (+ and 8-15 digits)"]
    return []


def endpoint_id_problems(endpoint_id: Any, path: str = "Id") -> list[str]:
    if not isinstance(endpoint_id, str) or not endpoint_id.strip():
        return [f"{path}: must be a non-empty string"]
    if _FORBIDDEN_ID_CHARACTERS.intersection(endpoint_id):
        return [f"{path}: can't contain $, {{ or }}"]
    return []


def attribute_map_problems(attributes: Any, path: str) -> list[str]:
    """``{name: [value, ...]}``; name <= 50 chars, <= 50 values of <= 100 chars; [] removes the key."""
    if not isinstance(attributes, Mapping):
        return [f"{path}: must be a map of attribute name to a list of strings"]
    problems: list[str] = []
    for name, values in attributes.items():
        field = f"{path}.{name}"
        if not isinstance(name, str) or not name:
            problems.append(f"{path}: attribute names must be non-empty strings")
        elif len(name) > MAX_ATTRIBUTE_NAME:
            problems.append(f"{field}: name longer than {MAX_ATTRIBUTE_NAME} characters")
        if not isinstance(values, list):
            problems.append(f"{field}: must be a list of strings")
            continue
        if len(values) > MAX_ATTRIBUTE_VALUES:
            problems.append(f"{field}: more than {MAX_ATTRIBUTE_VALUES} values")
        for value in values:
            if not isinstance(value, str):
                problems.append(f"{field}: values must be strings")
                break
            if len(value) > MAX_ATTRIBUTE_VALUE:
                problems.append(f"{field}: value longer than {MAX_ATTRIBUTE_VALUE} characters")
                break
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def metrics_problems(metrics: Any, path: str) -> list[str]:
    if not isinstance(metrics, Mapping):
        return [f"{path}: must be a map of metric name to a number"]
    problems: list[str] = []
    for name, value in metrics.items():
        if not isinstance(name, str) or not name:
            problems.append(f"{path}: metric names must be non-empty strings")
        elif len(name) > MAX_ATTRIBUTE_NAME:
            problems.append(f"{path}.{name}: name longer than {MAX_ATTRIBUTE_NAME} characters")
        if not _is_number(value):
            problems.append(f"{path}.{name}: must be a finite number")
    return problems


def _text_fields_problems(value: Any, path: str, allowed: frozenset[str]) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"{path}: must be an object"]
    problems = [f"{path}.{key}: unknown field" for key in value if key not in allowed]
    problems += [
        f"{path}.{key}: must be a string" for key in allowed & value.keys() if not isinstance(value[key], str)
    ]
    return problems


def location_problems(location: Any, path: str) -> list[str]:
    allowed = LOCATION_TEXT_FIELDS | LOCATION_RANGES.keys()
    if not isinstance(location, Mapping):
        return [f"{path}: must be an object"]
    text = {key: value for key, value in location.items() if key not in LOCATION_RANGES}
    problems = _text_fields_problems(text, path, frozenset(allowed))
    for key, limit in LOCATION_RANGES.items():
        value = location.get(key)
        if value is not None and (not _is_number(value) or abs(value) > limit):
            problems.append(f"{path}.{key}: must be a number between -{limit:g} and {limit:g}")
    return problems


def user_problems(user: Any, path: str) -> list[str]:
    if not isinstance(user, Mapping):
        return [f"{path}: must be an object"]
    problems = [f"{path}.{key}: unknown field" for key in user if key not in USER_FIELDS]
    if "UserId" in user and not isinstance(user["UserId"], str):
        problems.append(f"{path}.UserId: must be a string")
    if "UserAttributes" in user:
        problems += attribute_map_problems(user["UserAttributes"], f"{path}.UserAttributes")
    return problems


def _enum_problem(request: Mapping[str, Any], key: str, allowed: frozenset[str], path: str) -> list[str]:
    if key in request and request[key] not in allowed:
        return [f"{path}{key}: must be one of {', '.join(sorted(allowed))}"]
    return []


def _date_problems(value: Any, field: str) -> list[str]:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return [f"{field}: not an ISO 8601 date-time"]
    return []


def request_problems(request: Any, *, batch_item: bool = False, path: str = "") -> list[str]:
    """Everything wrong with one ``EndpointRequest`` (or ``EndpointBatchItem`` when ``batch_item``)."""
    if not isinstance(request, Mapping):
        return [f"{path or 'EndpointRequest'}: must be an object"]
    allowed = REQUEST_FIELDS | {"Id"} if batch_item else REQUEST_FIELDS
    problems = [f"{path}{key}: unknown field" for key in request if key not in allowed]
    if batch_item:
        problems += endpoint_id_problems(request.get("Id"), f"{path}Id")
    problems += _enum_problem(request, "ChannelType", CHANNEL_TYPES, path)
    problems += _enum_problem(request, "OptOut", OPT_OUT_VALUES, path)
    problems += _enum_problem(request, "EndpointStatus", ENDPOINT_STATUSES, path)
    if "Address" in request:
        problems += address_problems(request.get("ChannelType"), request["Address"], path)
    for key in ("RequestId", "EffectiveDate"):
        if key in request and not isinstance(request[key], str):
            problems.append(f"{path}{key}: must be a string")
    if isinstance(request.get("EffectiveDate"), str):
        problems += _date_problems(request["EffectiveDate"], f"{path}EffectiveDate")
    checks = {
        "Attributes": attribute_map_problems,
        "Metrics": metrics_problems,
        "Location": location_problems,
        "User": user_problems,
        "Demographic": lambda value, field: _text_fields_problems(value, field, DEMOGRAPHIC_FIELDS),
    }
    for key, check in checks.items():
        if key in request:
            problems += check(request[key], f"{path}{key}")
    return problems


def batch_problems(items: Any) -> list[str]:
    """Problems of a whole ``EndpointBatchRequest.Item`` list (Pinpoint rejects the batch on any)."""
    if not isinstance(items, list) or not items:
        return ["EndpointBatchRequest.Item: must be a non-empty list"]
    if len(items) > MAX_BATCH_ITEMS:
        return [f"EndpointBatchRequest.Item: more than {MAX_BATCH_ITEMS} items ({len(items)})"]
    problems: list[str] = []
    for index, item in enumerate(items):
        problems += request_problems(item, batch_item=True, path=f"Item[{index}].")
    return problems


def endpoint_problems(endpoint: Mapping[str, Any], user_attributes: Mapping[str, Any]) -> list[str]:
    """Rules on the merged endpoint: address fits its channel, <= 250 attributes in total."""
    problems = address_problems(endpoint.get("ChannelType"), endpoint.get("Address"))
    inline = endpoint.get("User", {}).get("UserAttributes", {})
    total = sum(len(endpoint.get(key, {})) for key in ("Attributes", "Metrics"))
    total += len(user_attributes) + len(inline)
    if total > MAX_ATTRIBUTES_TOTAL:
        problems.append(
            f"Attributes: more than {MAX_ATTRIBUTES_TOTAL} attributes across Attributes, Metrics "
            f"and User.UserAttributes ({total})"
        )
    return problems
