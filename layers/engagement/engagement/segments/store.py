"""Segments on DynamoDB with boto3's ``pinpoint`` method names, arguments and responses.

    store = build_segment_store("dynamodb://Segments")
    segment = store.create_segment(ApplicationId=app, WriteSegmentRequest={...})["SegmentResponse"]

One table, items per application (``pk = APP#<app>``):

=============================  ==================================================================
sk                             item
=============================  ==================================================================
``SEG#<id>``                   the latest ``SegmentResponse`` (``doc``, JSON) and its ``ver``
``VER#<id>#<version:08d>``     every version, immutable (campaigns pin ``SegmentVersion``)
``MEM#<id>#<version>#<chunk>`` an imported segment's member endpoint ids, 1,000 per item
=============================  ==================================================================

Writes of a new version are one transaction conditioned on the previous ``ver``, so two
concurrent updates can't both become version n+1 (the loser gets ``ConflictException``).
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from engagement.aws import batch_write
from engagement.paging import prefix_query, query_items, query_page
from engagement.segments.definition import validate_definition

SEGMENT_PREFIX = "SEG#"
VERSION_PREFIX = "VER#"
MEMBERS_PREFIX = "MEM#"
MEMBERS_PER_ITEM = 1000
DYNAMODB_SCHEME = "dynamodb://"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _pk(application_id: str) -> dict[str, str]:
    return {"S": f"APP#{application_id}"}


def _version_sk(segment_id: str, version: int) -> str:
    return f"{VERSION_PREFIX}{segment_id}#{version:08d}"


def _members_prefix(segment_id: str, version: int) -> str:
    return f"{MEMBERS_PREFIX}{segment_id}#{version:08d}#"


class SegmentStore:
    """``create_segment``/``get_segment``/``get_segments``/``update_segment``/``get_segment_version(s)``/
    ``delete_segment`` as boto3's Pinpoint client has them; plus ``put_import_segment`` and
    ``get_member_ids`` for imported (static) segments, which Pinpoint builds with import jobs."""

    def __init__(self, client: Any, table: str, *, arn_prefix: str | None = None) -> None:
        self._client = client
        self._table = table
        self._arn_prefix_given = arn_prefix

    @functools.cached_property
    def _arn_prefix(self) -> str:
        """From the client's region, on first use: asking a ``LazyClient`` its region creates it."""
        if self._arn_prefix_given:
            return self._arn_prefix_given
        region = getattr(getattr(self._client, "meta", None), "region_name", None) or "us-east-1"
        return f"arn:aws:mobiletargeting:{region}:000000000000"

    # ---------------------------------------------------------------- Pinpoint's operations
    def create_segment(self, *, ApplicationId: str, WriteSegmentRequest: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        self._validate("CreateSegment", ApplicationId, WriteSegmentRequest)
        now = _now()
        segment_id = uuid.uuid4().hex
        document = {
            "ApplicationId": ApplicationId,
            "Arn": f"{self._arn_prefix}:apps/{ApplicationId}/segments/{segment_id}",
            "CreationDate": now,
            "Id": segment_id,
            "LastModifiedDate": now,
            "SegmentType": "DIMENSIONAL",
            "Version": 1,
            **_definition_fields(WriteSegmentRequest),
        }
        self._write_version(ApplicationId, document, previous=0, operation="CreateSegment")
        return {"SegmentResponse": document}

    def get_segment(self, *, ApplicationId: str, SegmentId: str) -> dict[str, Any]:  # noqa: N803
        return {"SegmentResponse": self._latest(ApplicationId, SegmentId, "GetSegment")}

    def get_segments(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        PageSize: str | None = None,  # noqa: N803
        Token: str | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        items, token = self._page(ApplicationId, SEGMENT_PREFIX, PageSize, Token, "GetSegments")
        return {"SegmentsResponse": _with_token({"Item": items}, token)}

    def update_segment(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        SegmentId: str,  # noqa: N803
        WriteSegmentRequest: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        """A new version: ``Name``/``tags`` given replace the old; ``Dimensions`` or ``SegmentGroups``
        given replace the whole definition (both), omitted keep it."""
        from engagement.models.errors import BadRequestException

        self._validate("UpdateSegment", ApplicationId, WriteSegmentRequest, SegmentId=SegmentId)
        current = self._latest(ApplicationId, SegmentId, "UpdateSegment")
        fields = _definition_fields(WriteSegmentRequest)
        redefines = "Dimensions" in fields or "SegmentGroups" in fields
        if redefines and current["SegmentType"] == "IMPORT":
            raise BadRequestException(
                "WriteSegmentRequest: an imported segment's members come from its import; "
                "only Name and tags can change",
                "UpdateSegment",
            )
        document = dict(current)
        if redefines:
            document.pop("Dimensions", None)
            document.pop("SegmentGroups", None)
        document.update(fields, Version=current["Version"] + 1, LastModifiedDate=_now())
        self._write_version(ApplicationId, document, previous=current["Version"], operation="UpdateSegment")
        return {"SegmentResponse": document}

    def get_segment_version(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        SegmentId: str,  # noqa: N803
        Version: str | int,  # noqa: N803
    ) -> dict[str, Any]:
        from engagement.models.errors import BadRequestException, NotFoundException

        try:
            number = int(Version)
        except (TypeError, ValueError):
            raise BadRequestException(f"Version: {Version!r} is not a number", "GetSegmentVersion") from None
        item = self._get(ApplicationId, _version_sk(SegmentId, number))
        if item is None:
            raise NotFoundException(
                f"Resource not found: segment {SegmentId} version {number}", "GetSegmentVersion"
            )
        return {"SegmentResponse": json.loads(item["doc"]["S"])}

    def get_segment_versions(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        SegmentId: str,  # noqa: N803
        PageSize: str | None = None,  # noqa: N803
        Token: str | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        """Every version, oldest first."""
        self._latest(ApplicationId, SegmentId, "GetSegmentVersions")
        prefix = f"{VERSION_PREFIX}{SegmentId}#"
        items, token = self._page(ApplicationId, prefix, PageSize, Token, "GetSegmentVersions")
        return {"SegmentsResponse": _with_token({"Item": items}, token)}

    def delete_segment(self, *, ApplicationId: str, SegmentId: str) -> dict[str, Any]:  # noqa: N803
        """Deletes the segment, its versions and its imported members; returns the latest version."""
        document = self._latest(ApplicationId, SegmentId, "DeleteSegment")
        keys = []
        for prefix in (f"{VERSION_PREFIX}{SegmentId}#", f"{MEMBERS_PREFIX}{SegmentId}#"):
            keys += [item["sk"]["S"] for item in self._query(ApplicationId, prefix, projection="sk")]
        keys.append(f"{SEGMENT_PREFIX}{SegmentId}")  # last: a retry after a partial delete finishes it
        requests = [{"DeleteRequest": {"Key": {"pk": _pk(ApplicationId), "sk": {"S": key}}}} for key in keys]
        batch_write(self._client, self._table, requests, operation="DeleteSegment")
        return {"SegmentResponse": document}

    # ---------------------------------------------------------------- imported segments
    def put_import_segment(
        self,
        application_id: str,
        name: str,
        endpoint_ids: Collection[str],
        *,
        file_format: str,
        source_url: str,
        segment_id: str | None = None,
        channel_counts: Mapping[str, int] | None = None,
    ) -> dict[str, Any]:
        """Create an IMPORT segment of these endpoints, or a new version of ``segment_id``."""
        from engagement.models.errors import BadRequestException

        operation = "CreateImportJob"
        if not name.strip():
            raise BadRequestException("SegmentName: must not be empty", operation)
        now = _now()
        previous = self._latest(application_id, segment_id, operation) if segment_id else None
        if previous is not None and previous["SegmentType"] != "IMPORT":
            raise BadRequestException(f"SegmentId: {segment_id} is a dimensional segment", operation)
        segment_id = segment_id or uuid.uuid4().hex
        version = previous["Version"] + 1 if previous else 1
        members = sorted(set(endpoint_ids))
        document = {
            "ApplicationId": application_id,
            "Arn": f"{self._arn_prefix}:apps/{application_id}/segments/{segment_id}",
            "CreationDate": previous["CreationDate"] if previous else now,
            "Id": segment_id,
            "ImportDefinition": {
                "ChannelCounts": dict(channel_counts or {}),
                "ExternalId": "",
                "Format": file_format.upper(),
                "RoleArn": "",
                "S3Url": source_url,
                "Size": len(members),
            },
            "LastModifiedDate": now,
            "Name": name,
            "SegmentType": "IMPORT",
            "Version": version,
        }
        prefix = _members_prefix(segment_id, version)
        for chunk, start in enumerate(range(0, len(members), MEMBERS_PER_ITEM)):
            ids = members[start : start + MEMBERS_PER_ITEM]
            item = {
                "pk": _pk(application_id),
                "sk": {"S": f"{prefix}{chunk:06d}"},
                "ids": {"S": json.dumps(ids)},
            }
            self._client.put_item(TableName=self._table, Item=item)
        self._write_version(application_id, document, previous=version - 1, operation=operation)
        return document

    def get_member_ids(self, application_id: str, segment_id: str, version: int) -> frozenset[str]:
        """The endpoint ids of one version of an imported segment."""
        prefix = _members_prefix(segment_id, version)
        return frozenset(
            endpoint_id
            for item in self._query(application_id, prefix, projection="ids")
            for endpoint_id in json.loads(item["ids"]["S"])
        )

    def resolve(
        self, application_id: str, segment_id: str, version: int | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A segment version and its ``source_segments`` (every base segment, recursively) for
        ``compile_segment``: definitions of dynamic bases, member ids of imported ones."""
        segment = self._version_or_latest(application_id, segment_id, version)
        sources: dict[str, Any] = {}
        if segment["SegmentType"] == "IMPORT":
            sources[segment["Id"]] = self.get_member_ids(application_id, segment["Id"], segment["Version"])
        self._collect_sources(application_id, segment, sources)
        return segment, sources

    def _collect_sources(
        self, application_id: str, segment: Mapping[str, Any], sources: dict[str, Any]
    ) -> None:
        for group in (segment.get("SegmentGroups") or {}).get("Groups") or ():
            for reference in group.get("SourceSegments") or ():
                if reference["Id"] in sources:
                    continue
                base = self._version_or_latest(application_id, reference["Id"], reference.get("Version"))
                if base["SegmentType"] == "IMPORT":
                    sources[base["Id"]] = self.get_member_ids(application_id, base["Id"], base["Version"])
                else:
                    sources[base["Id"]] = base
                    self._collect_sources(application_id, base, sources)

    def _version_or_latest(self, application_id: str, segment_id: str, version: int | None) -> dict[str, Any]:
        if version is None:
            response = self.get_segment(ApplicationId=application_id, SegmentId=segment_id)
        else:
            response = self.get_segment_version(
                ApplicationId=application_id, SegmentId=segment_id, Version=version
            )
        return response["SegmentResponse"]

    # ---------------------------------------------------------------- helpers
    def _validate(self, operation: str, application_id: str, body: Any, **extra: Any) -> None:
        from engagement.models.errors import BadRequestException
        from engagement.models.service import validate_request

        validate_request(operation, {"ApplicationId": application_id, **extra, "WriteSegmentRequest": body})
        validate_definition(body, operation=operation)
        for g, group in enumerate((body.get("SegmentGroups") or {}).get("Groups") or ()):
            for s, reference in enumerate(group.get("SourceSegments") or ()):
                if self._get(application_id, f"{SEGMENT_PREFIX}{reference['Id']}") is None:
                    raise BadRequestException(
                        f"WriteSegmentRequest.SegmentGroups.Groups[{g}].SourceSegments[{s}].Id: "
                        f"segment {reference['Id']} not found",
                        operation,
                    )

    def _latest(self, application_id: str, segment_id: str, operation: str) -> dict[str, Any]:
        from engagement.models.errors import NotFoundException

        item = self._get(application_id, f"{SEGMENT_PREFIX}{segment_id}")
        if item is None:
            raise NotFoundException(f"Resource not found: segment {segment_id}", operation)
        return json.loads(item["doc"]["S"])

    def _get(self, application_id: str, sk: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table, Key={"pk": _pk(application_id), "sk": {"S": sk}}, ConsistentRead=True
        )
        return response.get("Item")

    def _write_version(
        self, application_id: str, document: dict[str, Any], *, previous: int, operation: str
    ) -> None:
        from botocore.exceptions import ClientError

        from engagement.models.errors import ConflictException

        doc = {"S": json.dumps(document, separators=(",", ":"), ensure_ascii=False)}
        version = {"N": str(document["Version"])}
        latest: dict[str, Any] = {
            "TableName": self._table,
            "Item": {
                "pk": _pk(application_id),
                "sk": {"S": f"{SEGMENT_PREFIX}{document['Id']}"},
                "doc": doc,
                "ver": version,
            },
        }
        if previous:
            latest["ConditionExpression"] = "ver = :previous"
            latest["ExpressionAttributeValues"] = {":previous": {"N": str(previous)}}
        else:
            latest["ConditionExpression"] = "attribute_not_exists(sk)"
        snapshot = {
            "TableName": self._table,
            "Item": {
                "pk": _pk(application_id),
                "sk": {"S": _version_sk(document["Id"], document["Version"])},
                "doc": doc,
            },
            "ConditionExpression": "attribute_not_exists(sk)",
        }
        try:
            self._client.transact_write_items(TransactItems=[{"Put": latest}, {"Put": snapshot}])
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            raise ConflictException(
                f"segment {document['Id']} changed concurrently; read it again and retry", operation
            ) from None

    def _query(
        self, application_id: str, prefix: str, *, projection: str | None = None
    ) -> Iterator[dict[str, Any]]:
        kwargs = prefix_query(self._table, f"APP#{application_id}", prefix)
        if projection:
            kwargs["ProjectionExpression"] = projection
        return query_items(self._client.query, **kwargs)

    def _page(
        self, application_id: str, prefix: str, page_size: Any, token: str | None, operation: str
    ) -> tuple[list[dict[str, Any]], str | None]:
        query = prefix_query(self._table, f"APP#{application_id}", prefix)
        items, next_token = query_page(
            self._client.query, query, page_size=page_size, token=token, operation=operation
        )
        return [json.loads(item["doc"]["S"]) for item in items], next_token


def _definition_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in ("Name", "Dimensions", "SegmentGroups", "tags") if key in body}


def _with_token(response: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        response["NextToken"] = token
    return response


def build_segment_store(uri: str, *, session: Any = None) -> SegmentStore:
    """``build_segment_store("dynamodb://<table>")`` (the ``SEGMENT_STORE`` setting)."""
    uri = (uri or "").strip()
    if not uri.startswith(DYNAMODB_SCHEME) or len(uri) == len(DYNAMODB_SCHEME):
        raise ValueError(f"SEGMENT_STORE must be 'dynamodb://<table>', got {uri!r}")
    from engagement.aws import aws_client

    return SegmentStore(aws_client("dynamodb", session=session), uri[len(DYNAMODB_SCHEME) :])
