# ruff: noqa: N803 - boto3's pinpoint argument names (ApplicationId=...) are the interface
"""``CampaignStore``: Pinpoint's campaign API (boto3's method names, arguments and responses) on
one DynamoDB table, with each campaign's schedule on EventBridge Scheduler.

    store = CampaignStore(table, dynamodb_client, segments=..., templates=..., scheduler=...)
    store.create_campaign(ApplicationId=app, WriteCampaignRequest=body)  # {"CampaignResponse": ...}

Items (``pk`` / ``sk``; documents are JSON strings in ``doc``):

- ``APP#<app>`` / ``CAMPAIGN#<id>``: the current ``CampaignResponse``;
- ``CAMPAIGN#<app>#<id>`` / ``V#<0000000001>``: every version (``update_campaign`` adds one);
- ``CAMPAIGN#<app>#<id>`` / ``A#<activity id>``: one ``ActivityResponse`` per run.

Writes of a new version and the current document are one transaction, conditional on the
version read, so two concurrent updates cannot both win (``ConflictException``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from engagement.aws import batch_write
from engagement.campaigns.clock import iso
from engagement.campaigns.definition import compile_campaign, inline_templates, validate_campaign
from engagement.paging import prefix_query, query_items, query_page

STATES = ("SCHEDULED", "EXECUTING", "PENDING_NEXT_RUN", "COMPLETED", "PAUSED", "DELETED", "INVALID")


def _not_found(what: str, operation: str) -> Exception:
    from engagement.models.errors import NotFoundException

    return NotFoundException(f"{what} not found", operation)


class CampaignStore:
    """Campaign definitions, versions, states and activities."""

    def __init__(
        self,
        table: str,
        client: Any,
        *,
        segments: Any = None,
        templates: Any = None,
        scheduler: Any = None,
        publish_template: Callable[[str, str, Mapping[str, Any]], None] | None = None,
        launch: Callable[[str, str], Any] | None = None,
        arn_prefix: str = "arn:aws:mobiletargeting:us-east-1:000000000000",
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.table = table
        self.client = client
        self.segments = segments
        self.templates = templates
        self.scheduler = scheduler
        self.publish_template = publish_template
        self.launch = launch
        self.arn_prefix = arn_prefix
        self.clock = clock

    # -- boto3 pinpoint operations ---------------------------------------------------------
    def create_campaign(self, *, ApplicationId: str, WriteCampaignRequest: dict[str, Any]) -> dict[str, Any]:
        body = WriteCampaignRequest
        self._validate(ApplicationId, body, check_start=True)
        now = iso(self.clock())
        campaign_id = uuid.uuid4().hex
        response = {
            **body,
            "Id": campaign_id,
            "Arn": f"{self.arn_prefix}:apps/{ApplicationId}/campaigns/{campaign_id}",
            "ApplicationId": ApplicationId,
            "CreationDate": now,
            "LastModifiedDate": now,
            "SegmentVersion": body.get("SegmentVersion")
            or self.segment_version(ApplicationId, body["SegmentId"]),
            "Version": 1,
            "State": {"CampaignStatus": "PAUSED" if body.get("IsPaused") else "SCHEDULED"},
            "DefaultState": {"CampaignStatus": "PAUSED" if body.get("IsPaused") else "SCHEDULED"},
        }
        self._publish(response)
        self._write_version(response, previous=None)
        self._schedule(response)
        return {"CampaignResponse": response}

    def get_campaign(self, *, ApplicationId: str, CampaignId: str) -> dict[str, Any]:
        return {"CampaignResponse": self._head(ApplicationId, CampaignId, "GetCampaign")}

    def get_campaigns(
        self, *, ApplicationId: str, PageSize: str | int | None = None, Token: str | None = None
    ) -> dict[str, Any]:
        items, token = self._query(f"APP#{ApplicationId}", "CAMPAIGN#", PageSize, Token, "GetCampaigns")
        return {"CampaignsResponse": _page(items, token)}

    def update_campaign(
        self, *, ApplicationId: str, CampaignId: str, WriteCampaignRequest: dict[str, Any]
    ) -> dict[str, Any]:
        current = self._head(ApplicationId, CampaignId, "UpdateCampaign")
        body = {k: v for k, v in current.items() if k not in _RESPONSE_ONLY}
        body.update(WriteCampaignRequest)
        self._validate(ApplicationId, body, check_start="Schedule" in WriteCampaignRequest)
        paused = bool(body.get("IsPaused"))
        status = current["State"]["CampaignStatus"]
        if paused:
            status = "PAUSED"
        elif status == "PAUSED" or "Schedule" in WriteCampaignRequest:
            status = "SCHEDULED"
        repin = "SegmentId" in WriteCampaignRequest and "SegmentVersion" not in WriteCampaignRequest
        response = {
            **current,
            **WriteCampaignRequest,
            **({"SegmentVersion": self.segment_version(ApplicationId, body["SegmentId"])} if repin else {}),
            "LastModifiedDate": iso(self.clock()),
            "Version": int(current["Version"]) + 1,
            "State": {"CampaignStatus": status},
        }
        self._publish(response)
        self._write_version(response, previous=int(current["Version"]))
        self._schedule(response)
        return {"CampaignResponse": response}

    def delete_campaign(self, *, ApplicationId: str, CampaignId: str) -> dict[str, Any]:
        current = self._head(ApplicationId, CampaignId, "DeleteCampaign")
        if self.scheduler is not None:
            self.scheduler.delete(CampaignId)
        pk = f"CAMPAIGN#{ApplicationId}#{CampaignId}"
        keys = list(
            query_items(self.client.query, **prefix_query(self.table, pk, "", ProjectionExpression="pk, sk"))
        )
        # the campaign itself last: a retry after a partial delete still finds it and finishes
        keys.append({"pk": {"S": f"APP#{ApplicationId}"}, "sk": {"S": f"CAMPAIGN#{CampaignId}"}})
        requests = [{"DeleteRequest": {"Key": key}} for key in keys]
        batch_write(self.client, self.table, requests, operation="DeleteCampaign")
        return {"CampaignResponse": {**current, "State": {"CampaignStatus": "DELETED"}}}

    def get_campaign_version(
        self, *, ApplicationId: str, CampaignId: str, Version: str | int
    ) -> dict[str, Any]:
        item = self.client.get_item(
            TableName=self.table,
            Key={
                "pk": {"S": f"CAMPAIGN#{ApplicationId}#{CampaignId}"},
                "sk": {"S": f"V#{int(Version):010d}"},
            },
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            raise _not_found(f"Version {Version} of campaign {CampaignId}", "GetCampaignVersion")
        return {"CampaignResponse": json.loads(item["doc"]["S"])}

    def get_campaign_versions(
        self, *, ApplicationId: str, CampaignId: str, PageSize=None, Token=None
    ) -> dict:
        self._head(ApplicationId, CampaignId, "GetCampaignVersions")
        items, token = self._query(
            f"CAMPAIGN#{ApplicationId}#{CampaignId}",
            "V#",
            PageSize,
            Token,
            "GetCampaignVersions",
            forward=False,
        )
        return {"CampaignsResponse": _page(items, token)}

    def get_campaign_activities(
        self, *, ApplicationId: str, CampaignId: str, PageSize=None, Token=None
    ) -> dict:
        self._head(ApplicationId, CampaignId, "GetCampaignActivities")
        items, token = self._query(
            f"CAMPAIGN#{ApplicationId}#{CampaignId}", "A#", PageSize, Token, "GetCampaignActivities"
        )
        items.sort(key=lambda a: a.get("ScheduledStart") or "", reverse=True)
        return {"ActivitiesResponse": _page(items, token)}

    # -- what runs write -------------------------------------------------------------------
    def put_activity(self, activity: Mapping[str, Any]) -> None:
        self.client.put_item(
            TableName=self.table,
            Item={
                "pk": {"S": f"CAMPAIGN#{activity['ApplicationId']}#{activity['CampaignId']}"},
                "sk": {"S": f"A#{activity['Id']}"},
                "doc": {"S": json.dumps(dict(activity), separators=(",", ":"))},
            },
        )

    def get_activity(self, application_id: str, campaign_id: str, activity_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(
            TableName=self.table,
            Key={"pk": {"S": f"CAMPAIGN#{application_id}#{campaign_id}"}, "sk": {"S": f"A#{activity_id}"}},
            ConsistentRead=True,
        ).get("Item")
        return json.loads(item["doc"]["S"]) if item else None

    def set_state(self, application_id: str, campaign_id: str, status: str) -> None:
        """A run moves the campaign to EXECUTING, then PENDING_NEXT_RUN or COMPLETED (never over PAUSED)."""
        current = self._head(application_id, campaign_id, "UpdateCampaign")
        if current["State"]["CampaignStatus"] in ("PAUSED", status):
            return
        document = {**current, "State": {"CampaignStatus": status}}
        # updated meanwhile: the update's own state stands
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self.client.put_item(
                TableName=self.table,
                Item=self._item(f"APP#{application_id}", f"CAMPAIGN#{campaign_id}", document),
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": {"N": str(current["Version"])}},
            )

    # -- internals -------------------------------------------------------------------------
    def _validate(self, application_id: str, body: dict[str, Any], *, check_start: bool) -> None:
        """Before anything is stored or scheduled; a start in the past only matters when it changes."""
        validate_campaign(
            body,
            application_id=application_id,
            segments=self.segments,
            templates=self.templates,
            now=self.clock(),
            check_start=check_start,
        )

    def _head(self, application_id: str, campaign_id: str, operation: str) -> dict[str, Any]:
        item = self.client.get_item(
            TableName=self.table,
            Key={"pk": {"S": f"APP#{application_id}"}, "sk": {"S": f"CAMPAIGN#{campaign_id}"}},
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            raise _not_found(f"Campaign {campaign_id}", operation)
        return json.loads(item["doc"]["S"])

    def segment_version(self, application_id: str, segment_id: str) -> int | None:
        """The segment's current version (pinned at create when none is given, as Pinpoint does)."""
        if self.segments is None:
            return None
        segment = self.segments.get_segment(ApplicationId=application_id, SegmentId=segment_id)
        version = segment.get("SegmentResponse", {}).get("Version")
        return int(version) if version is not None else None

    def _item(self, pk: str, sk: str, document: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "pk": {"S": pk},
            "sk": {"S": sk},
            "doc": {"S": json.dumps(dict(document), separators=(",", ":"))},
            "version": {"N": str(document["Version"])},
        }

    def _write_version(self, response: Mapping[str, Any], previous: int | None) -> None:
        app, campaign_id, version = response["ApplicationId"], response["Id"], int(response["Version"])
        head = {
            "TableName": self.table,
            "Item": self._item(f"APP#{app}", f"CAMPAIGN#{campaign_id}", response),
        }
        if previous is None:
            head["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            head["ConditionExpression"] = "version = :v"
            head["ExpressionAttributeValues"] = {":v": {"N": str(previous)}}
        versioned = {
            "TableName": self.table,
            "Item": self._item(f"CAMPAIGN#{app}#{campaign_id}", f"V#{version:010d}", response),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        try:
            self.client.transact_write_items(TransactItems=[{"Put": head}, {"Put": versioned}])
        except self.client.exceptions.TransactionCanceledException as error:
            from engagement.models.errors import ConflictException

            raise ConflictException(
                f"Campaign {campaign_id} was changed concurrently (version {previous}); read it again",
                "UpdateCampaign",
            ) from error

    def _publish(self, response: Mapping[str, Any]) -> None:
        """Inline ``MessageConfiguration`` bodies become templates the channel renders by name."""
        published = inline_templates(response)
        if not published:
            return
        if self.publish_template is None:
            from engagement.models.errors import BadRequestException

            raise BadRequestException(
                "MessageConfiguration bodies need a writable template store (file:// or s3://); "
                "use TemplateConfiguration instead",
                "CreateCampaign",
            )
        for name, parts in published.items():
            for kind, body in parts.items():
                self.publish_template(name, kind, body)

    def _schedule(self, response: Mapping[str, Any]) -> None:
        campaign = compile_campaign(response)
        if self.scheduler is not None:
            self.scheduler.put(
                campaign.application_id, campaign.id, campaign.schedule, paused=campaign.is_paused
            )
        immediate = campaign.schedule.start is None and campaign.schedule.frequency == "ONCE"
        if immediate and not campaign.is_paused and self.launch is not None and campaign.version == 1:
            self.launch(campaign.application_id, campaign.id)

    def _query(
        self, pk: str, prefix: str, page_size: Any, token: str | None, operation: str, *, forward: bool = True
    ) -> tuple[list[dict[str, Any]], str | None]:
        query = prefix_query(self.table, pk, prefix, ScanIndexForward=forward)
        items, next_token = query_page(
            self.client.query, query, page_size=page_size, token=token, operation=operation
        )
        return [json.loads(item["doc"]["S"]) for item in items], next_token


_RESPONSE_ONLY = frozenset(
    {"Id", "Arn", "ApplicationId", "CreationDate", "LastModifiedDate", "Version", "State", "DefaultState"}
)


def _page(items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    return {"Item": items, **({"NextToken": token} if token else {})}


def file_template_publisher(root: str) -> Callable[[str, str, Mapping[str, Any]], None]:
    """Write ``<root>/<name>/<KIND>.json`` (the layout ``FileTemplateStore`` reads)."""
    from pathlib import Path

    from engagement.templating.stores import KINDS

    def publish(name: str, kind: str, body: Mapping[str, Any]) -> None:
        folder = Path(root) / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / KINDS[kind][0]).write_text(json.dumps(dict(body), indent=2))

    return publish


def s3_template_publisher(
    client: Any, bucket: str, prefix: str
) -> Callable[[str, str, Mapping[str, Any]], None]:
    """Put ``<prefix>/<name>/<KIND>.json`` (the layout ``S3TemplateStore`` reads)."""
    from engagement.templating.stores import KINDS

    def publish(name: str, kind: str, body: Mapping[str, Any]) -> None:
        key = "/".join(part for part in (prefix.strip("/"), name, KINDS[kind][0]) if part)
        client.put_object(Bucket=bucket, Key=key, Body=json.dumps(dict(body)).encode())

    return publish
