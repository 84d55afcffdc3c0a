"""A campaign definition: Pinpoint's ``WriteCampaignRequest``, validated, then compiled once into
what a run reads (treatments in allocation order, schedule, limits, how each treatment delivers).

    validate_campaign(body, application_id=app, segments=segment_store, templates=template_store)
    campaign = compile_campaign(campaign_response)          # a stored CampaignResponse

Validation is botocore's model first (``validate_shape``: field names and types as boto3 reports
them), then the rules the model cannot say. Every problem is a ``BadRequestException`` naming the
field, raised before anything is stored or scheduled.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engagement.campaigns.clock import parse_time
from engagement.delivery.senders import sender_settings
from engagement.localtime import parse_hhmm, parse_zone

MAX_TREATMENTS = 5  # the default treatment and up to four more [UG campaigns-message]
FREQUENCIES = ("ONCE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "EVENT")
LIMIT_RANGES = {
    "Daily": (0, 100),
    "Total": (0, 100),
    "MessagesPerSecond": (1, 20000),
    "MaximumDuration": (60, None),
}
TEMPLATE_CHANNELS = {"EmailTemplate": "EMAIL", "SMSTemplate": "SMS"}
MESSAGE_CHANNELS = {"EmailMessage": "EMAIL", "SMSMessage": "SMS"}
_MESSAGE_KEYS = {channel: key for key, channel in MESSAGE_CHANNELS.items()}
TEMPLATE_GETTERS = {"EMAIL": "get_email_template", "SMS": "get_sms_template"}
DEFAULT_TREATMENT_ID = "0"


def _bad(message: str) -> Exception:
    from engagement.models.errors import BadRequestException

    return BadRequestException(message, "CreateCampaign")


@dataclass(frozen=True)
class Delivery:
    """How one treatment reaches one channel: the ``Data`` handed to the custom channel."""

    channel_types: frozenset[str]  # endpoint ChannelTypes this delivery serves
    data: str  # the custom-channel ``Data`` string (JSON instruction or Pinpoint's CustomMessage.Data)
    delivery_uri: str | None = None  # CustomDeliveryConfiguration.DeliveryUri


@dataclass(frozen=True)
class Treatment:
    id: str
    name: str
    size_percent: int
    deliveries: tuple[Delivery, ...]

    def delivery_for(self, channel_type: str) -> Delivery | None:
        return next((d for d in self.deliveries if channel_type in d.channel_types), None)


@dataclass(frozen=True)
class Schedule:
    frequency: str
    start: dt.datetime | None  # None: IMMEDIATE
    end: dt.datetime | None
    is_local_time: bool
    zone: dt.tzinfo | None
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    event_filter: Mapping[str, Any] | None = None

    @property
    def has_quiet_time(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None


@dataclass(frozen=True)
class Limits:
    daily: int = 0  # 0: no limit
    total: int = 0
    messages_per_second: int = 0  # 0: unpaced (the channel's worker pool is the only bound)
    maximum_duration_s: int = 0


@dataclass(frozen=True)
class Campaign:
    application_id: str
    id: str
    version: int
    name: str
    segment_id: str
    segment_version: int | None
    holdout_percent: int
    treatments: tuple[Treatment, ...]  # allocation order: default ("0") first, then additional
    schedule: Schedule
    limits: Limits
    is_paused: bool = False
    response: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def channel_types(self) -> frozenset[str]:
        return frozenset().union(*(d.channel_types for t in self.treatments for d in t.deliveries))


# -- validation --------------------------------------------------------------------------------
def validate_campaign(
    body: Any,
    *,
    application_id: str,
    segments: Any = None,
    templates: Any = None,
    now: dt.datetime | None = None,
    check_start: bool = True,
) -> None:
    """Raise ``BadRequestException`` naming the first field that breaks a rule; return nothing."""
    from engagement.models.service import validate_shape

    validate_shape("WriteCampaignRequest", body, operation="CreateCampaign")
    now = now or dt.datetime.now(dt.UTC)
    if not body.get("SegmentId"):
        raise _bad("WriteCampaignRequest.SegmentId is required")
    if not isinstance(body.get("Schedule"), Mapping):
        raise _bad("WriteCampaignRequest.Schedule is required")
    if body.get("Hook"):
        raise _bad(
            "WriteCampaignRequest.Hook is not supported: filter with the segment, deliver by custom channel"
        )
    _check_segment(body, application_id, segments)
    _check_allocation(body)
    _check_schedule(body["Schedule"], now, check_start)
    _check_limits(body.get("Limits") or {})
    for path, treatment in _treatment_bodies(body):
        _check_delivery(path, treatment, application_id, templates)


def _check_segment(body: Mapping, application_id: str, segments: Any) -> None:
    if segments is None:
        return
    from botocore.exceptions import ClientError

    segment_id, version = body["SegmentId"], body.get("SegmentVersion")
    try:
        if version is None:
            segments.get_segment(ApplicationId=application_id, SegmentId=segment_id)
        else:
            segments.get_segment_version(
                ApplicationId=application_id, SegmentId=segment_id, Version=str(version)
            )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NotFoundException":
            raise
        which = f"version {version} of segment" if version is not None else "segment"
        raise _bad(f"WriteCampaignRequest.SegmentId: {which} '{segment_id}' not found") from error


def _check_allocation(body: Mapping) -> None:
    holdout = body.get("HoldoutPercent") or 0
    extra = body.get("AdditionalTreatments") or []
    if not 0 <= holdout <= 100:
        raise _bad(f"WriteCampaignRequest.HoldoutPercent must be 0-100, got {holdout}")
    if len(extra) + 1 > MAX_TREATMENTS:
        raise _bad(
            f"WriteCampaignRequest.AdditionalTreatments: at most {MAX_TREATMENTS - 1}, got {len(extra)}"
        )
    sizes = [t.get("SizePercent") for t in extra]
    for index, size in enumerate(sizes):
        if not 0 < size <= 100:
            raise _bad(
                f"WriteCampaignRequest.AdditionalTreatments[{index}].SizePercent must be 1-100, got {size}"
            )
    if holdout + sum(sizes) > 100:
        raise _bad(
            f"WriteCampaignRequest: HoldoutPercent ({holdout}) + AdditionalTreatments SizePercent "
            f"({'+'.join(map(str, sizes))}) = {holdout + sum(sizes)} is over 100"
        )


def _check_schedule(schedule: Mapping, now: dt.datetime, check_start: bool) -> None:
    path = "WriteCampaignRequest.Schedule"
    frequency = schedule.get("Frequency") or "ONCE"
    if frequency not in FREQUENCIES:
        raise _bad(f"{path}.Frequency {frequency!r} is not supported here (one of {', '.join(FREQUENCIES)})")
    start_text = schedule["StartTime"]
    start = None
    if start_text != "IMMEDIATE":
        try:
            start = parse_time(start_text, f"{path}.StartTime")
        except ValueError as error:
            raise _bad(str(error)) from error
        if check_start and start < now:
            raise _bad(f"{path}.StartTime {start_text} is in the past (now {now.isoformat()})")
    elif frequency not in ("ONCE", "EVENT"):
        raise _bad(f"{path}.StartTime IMMEDIATE needs Frequency ONCE, got {frequency}")
    if schedule.get("EndTime"):
        try:
            end = parse_time(schedule["EndTime"], f"{path}.EndTime")
        except ValueError as error:
            raise _bad(str(error)) from error
        if end <= (start or now):
            raise _bad(f"{path}.EndTime {schedule['EndTime']} is not after the start")
    if schedule.get("Timezone") and parse_zone(schedule["Timezone"]) is None:
        raise _bad(f"{path}.Timezone {schedule['Timezone']!r} is not a UTC offset like UTC-05 or UTC+05:30")
    quiet = schedule.get("QuietTime") or {}
    if quiet and bool(quiet.get("Start")) != bool(quiet.get("End")):
        raise _bad(f"{path}.QuietTime needs both Start and End")
    for key in ("Start", "End"):
        if quiet.get(key):
            try:
                parse_hhmm(quiet[key], f"{path}.QuietTime.{key}")
            except ValueError as error:
                raise _bad(str(error)) from error
    if frequency == "EVENT":
        event_types = ((schedule.get("EventFilter") or {}).get("Dimensions") or {}).get("EventType")
        if not event_types:
            raise _bad(f"{path}.EventFilter.Dimensions.EventType is required for Frequency EVENT")


def _check_limits(limits: Mapping) -> None:
    for name, (low, high) in LIMIT_RANGES.items():
        value = limits.get(name)
        if value in (None, 0):
            continue
        if value < low or (high is not None and value > high):
            allowed = f"{low}-{high}" if high is not None else f">= {low}"
            raise _bad(f"WriteCampaignRequest.Limits.{name} must be {allowed}, got {value}")


def _treatment_bodies(body: Mapping) -> list[tuple[str, Mapping]]:
    """(path, effective treatment body): each additional treatment inherits what it leaves unset."""
    inherited = ("MessageConfiguration", "TemplateConfiguration", "CustomDeliveryConfiguration")
    found = [("WriteCampaignRequest", body)]
    for index, extra in enumerate(body.get("AdditionalTreatments") or []):
        merged = {key: extra.get(key, body.get(key)) for key in inherited}
        found.append((f"WriteCampaignRequest.AdditionalTreatments[{index}]", merged))
    return found


def _check_delivery(path: str, treatment: Mapping, application_id: str, templates: Any) -> None:
    messages = treatment.get("MessageConfiguration") or {}
    custom = treatment.get("CustomDeliveryConfiguration")
    if custom:
        if not str(custom.get("DeliveryUri") or "").startswith("arn:"):
            raise _bad(f"{path}.CustomDeliveryConfiguration.DeliveryUri must be a Lambda function ARN")
        if not (messages.get("CustomMessage") or {}).get("Data"):
            raise _bad(
                f"{path}.MessageConfiguration.CustomMessage.Data is required with CustomDeliveryConfiguration"
            )
        return
    configured = treatment.get("TemplateConfiguration") or {}
    unsupported = sorted(set(configured) - set(TEMPLATE_CHANNELS)) + sorted(
        k for k in messages if k not in MESSAGE_CHANNELS and k != "CustomMessage"
    )
    if unsupported:
        raise _bad(
            f"{path}: {', '.join(unsupported)} cannot be delivered here (EMAIL and SMS, or a custom channel)"
        )
    if not any(k in configured for k in TEMPLATE_CHANNELS) and not any(
        k in messages for k in MESSAGE_CHANNELS
    ):
        raise _bad(
            f"{path}: no message (TemplateConfiguration, MessageConfiguration or CustomDeliveryConfiguration)"
        )
    if templates is None:
        return
    from botocore.exceptions import ClientError

    for key, channel in TEMPLATE_CHANNELS.items():
        if key not in configured:
            continue
        name, version = configured[key].get("Name"), configured[key].get("Version")
        args = {"TemplateName": name, **({"Version": version} if version else {})}
        try:
            getattr(templates, TEMPLATE_GETTERS[channel])(**args)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code not in ("NotFoundException", "BadRequestException"):
                raise
            raise _bad(
                f"{path}.TemplateConfiguration.{key}: {channel} template {name!r} not found"
            ) from error


# -- compilation -----------------------------------------------------------------------------
def inline_template_name(campaign_id: str, version: int, treatment_id: str) -> str:
    """Where a treatment's inline ``MessageConfiguration`` bodies are published as a template."""
    return f"campaign-{campaign_id}-v{version}-t{treatment_id}"


def compile_campaign(response: Mapping[str, Any]) -> Campaign:
    """A stored ``CampaignResponse`` -> :class:`Campaign` (the form every run reads)."""
    version = int(response.get("Version") or 1)
    treatments = []
    bodies = _treatment_bodies(response)
    holdout = int(response.get("HoldoutPercent") or 0)
    extra = response.get("AdditionalTreatments") or []
    default_size = 100 - holdout - sum(int(t.get("SizePercent") or 0) for t in extra)
    for index, (_path, body) in enumerate(bodies):
        treatment_id = DEFAULT_TREATMENT_ID if index == 0 else str(index)
        source = response if index == 0 else extra[index - 1]
        treatments.append(
            Treatment(
                id=treatment_id,
                name=source.get("TreatmentName") or ("default" if index == 0 else f"treatment-{index}"),
                size_percent=default_size if index == 0 else int(source.get("SizePercent") or 0),
                deliveries=_deliveries(body, inline_template_name(response["Id"], version, treatment_id)),
            )
        )
    return Campaign(
        application_id=response["ApplicationId"],
        id=response["Id"],
        version=version,
        name=response.get("Name") or "",
        segment_id=response["SegmentId"],
        segment_version=int(response["SegmentVersion"]) if response.get("SegmentVersion") else None,
        holdout_percent=holdout,
        treatments=tuple(treatments),
        schedule=_schedule(response.get("Schedule") or {}),
        limits=Limits(
            daily=int((response.get("Limits") or {}).get("Daily") or 0),
            total=int((response.get("Limits") or {}).get("Total") or 0),
            messages_per_second=int((response.get("Limits") or {}).get("MessagesPerSecond") or 0),
            maximum_duration_s=int((response.get("Limits") or {}).get("MaximumDuration") or 0),
        ),
        is_paused=bool(response.get("IsPaused")),
        response=response,
    )


def _deliveries(body: Mapping, inline_name: str) -> tuple[Delivery, ...]:
    messages = body.get("MessageConfiguration") or {}
    custom = body.get("CustomDeliveryConfiguration")
    if custom:
        types = custom.get("EndpointTypes") or ["CUSTOM", "EMAIL", "SMS"]
        return (
            Delivery(frozenset(types), str(messages["CustomMessage"]["Data"]), custom.get("DeliveryUri")),
        )
    found = []
    for key, channel in TEMPLATE_CHANNELS.items():
        template = (body.get("TemplateConfiguration") or {}).get(key)
        if template:
            instruction = {"template": template["Name"], "channel": channel}
            instruction.update(sender_settings(channel, messages.get(_MESSAGE_KEYS[channel])))
            if template.get("Version"):
                instruction["template_version"] = str(template["Version"])
            found.append(Delivery(frozenset({channel}), json.dumps(instruction, separators=(",", ":"))))
    for key, channel in MESSAGE_CHANNELS.items():
        if key in messages and not any(channel in d.channel_types for d in found):
            instruction = {"template": inline_name, "channel": channel}
            instruction.update(sender_settings(channel, messages.get(key)))
            found.append(Delivery(frozenset({channel}), json.dumps(instruction, separators=(",", ":"))))
    return tuple(found)


def _schedule(schedule: Mapping) -> Schedule:
    quiet = schedule.get("QuietTime") or {}
    start_text = schedule.get("StartTime") or "IMMEDIATE"
    return Schedule(
        frequency=schedule.get("Frequency") or "ONCE",
        start=None if start_text == "IMMEDIATE" else parse_time(start_text),
        end=parse_time(schedule["EndTime"]) if schedule.get("EndTime") else None,
        is_local_time=bool(schedule.get("IsLocalTime")),
        zone=parse_zone(schedule.get("Timezone")),
        quiet_start=parse_hhmm(quiet["Start"], "QuietTime.Start") if quiet.get("Start") else None,
        quiet_end=parse_hhmm(quiet["End"], "QuietTime.End") if quiet.get("End") else None,
        event_filter=schedule.get("EventFilter"),
    )


def inline_templates(response: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{template name: {"EMAIL": EmailTemplateResponse body, "SMS": ...}}`` for inline messages."""
    version = int(response.get("Version") or 1)
    published: dict[str, dict[str, dict[str, Any]]] = {}
    for index, (_path, body) in enumerate(_treatment_bodies(response)):
        if body.get("CustomDeliveryConfiguration"):
            continue
        messages = body.get("MessageConfiguration") or {}
        treatment_id = DEFAULT_TREATMENT_ID if index == 0 else str(index)
        parts: dict[str, dict[str, Any]] = {}
        if "EmailMessage" in messages:
            email = messages["EmailMessage"]
            parts["EMAIL"] = {
                k: v
                for k, v in {
                    "Subject": email.get("Title"),
                    "HtmlPart": email.get("HtmlBody"),
                    "TextPart": email.get("Body"),
                }.items()
                if v
            }
        if "SMSMessage" in messages:
            parts["SMS"] = {"Body": messages["SMSMessage"].get("Body", "")}
        if parts:
            published[inline_template_name(response["Id"], version, treatment_id)] = parts
    return published
