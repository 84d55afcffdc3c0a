"""Template stores that answer like boto3's ``pinpoint`` client.

``get_email_template(TemplateName="welcome")`` returns ``{"EmailTemplateResponse": {...}}``
whichever store holds the template, so the Pinpoint backend is boto3 itself and the
standalone backends are drop-ins. Chosen by ``TEMPLATE_STORE``:

- ``file://<dir>``: ``<dir>/<name>/EMAIL.json`` (``SMS.json``, ``PUSH.json``, ``INAPP.json``),
- ``s3://<bucket>/<prefix>``: the same layout under a key prefix,
- ``pinpoint``: Amazon Pinpoint's own template API.

Each file holds the body Pinpoint's ``Get*Template`` returns (or the whole response, wrapper
key included), so templates exported from Pinpoint drop in unchanged. A missing template is a
``ClientError`` with code ``NotFoundException``, like Pinpoint's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from botocore.exceptions import ClientError

__all__ = [
    "KINDS",
    "FileTemplateStore",
    "PinpointTemplateStore",
    "S3TemplateStore",
    "TemplateStore",
    "build_template_store",
]

# Pinpoint's template types: file name, response wrapper key and boto3 operation name.
KINDS: dict[str, tuple[str, str, str]] = {
    "EMAIL": ("EMAIL.json", "EmailTemplateResponse", "GetEmailTemplate"),
    "SMS": ("SMS.json", "SMSTemplateResponse", "GetSmsTemplate"),
    "PUSH": ("PUSH.json", "PushNotificationTemplateResponse", "GetPushTemplate"),
    "INAPP": ("INAPP.json", "InAppTemplateResponse", "GetInAppTemplate"),
}

# Pinpoint: "up to 128 characters ... alphanumeric characters, underscores, or hyphens".
_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
_VERSION = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A template file larger than this is refused before it is parsed (Pinpoint's own limit on
# a template's parts is far lower; the engine refuses oversized sources).
MAX_TEMPLATE_FILE_BYTES = 2 * 1024 * 1024
_EPOCH = "1970-01-01T00:00:00.000Z"


@runtime_checkable
class TemplateStore(Protocol):
    """The four template reads of boto3's ``pinpoint`` client, same names, arguments, shapes."""

    def get_email_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]: ...  # noqa: N803

    def get_sms_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]: ...  # noqa: N803

    def get_push_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]: ...  # noqa: N803

    def get_in_app_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]: ...  # noqa: N803


def client_error(code: str, message: str, operation: str, status: int) -> ClientError:
    """A ``ClientError`` shaped like the one boto3 raises for a Pinpoint error response."""
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "Message": message,
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


class DocumentTemplateStore:
    """Templates kept as Pinpoint JSON documents; subclasses say how to read one.

    ``Version`` selects ``<name>/versions/<v>/<KIND>.json`` when that exists; otherwise the
    requested version must equal the ``Version`` of ``<name>/<KIND>.json`` (default ``"1"``).
    """

    def get_email_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self._get("EMAIL", TemplateName, Version)

    def get_sms_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self._get("SMS", TemplateName, Version)

    def get_push_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self._get("PUSH", TemplateName, Version)

    def get_in_app_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self._get("INAPP", TemplateName, Version)

    # -- to implement ----------------------------------------------------------------------
    def _read(self, relative_path: str) -> tuple[bytes | None, str] | None:
        """Bytes and last-modified time (ISO 8601) of a document; ``None`` if absent.

        The bytes are ``None`` when the document is over ``MAX_TEMPLATE_FILE_BYTES``: it is
        refused without being read.
        """
        raise NotImplementedError

    def _describe(self) -> str:
        raise NotImplementedError

    # -- shared logic ----------------------------------------------------------------------
    def _get(self, kind: str, name: Any, version: str | None) -> dict[str, Any]:
        filename, wrapper, operation = KINDS[kind]
        if not isinstance(name, str) or not _TEMPLATE_NAME.fullmatch(name):
            raise client_error(
                "BadRequestException",
                f"Invalid TemplateName {name!r}: use 1-128 letters, digits, '_' or '-'",
                operation,
                400,
            )
        if version is not None and not _VERSION.fullmatch(str(version)):
            raise client_error("BadRequestException", f"Invalid Version {version!r}", operation, 400)
        found = None
        if version is not None:
            found = self._read(f"{name}/versions/{version}/{filename}")
        if found is None:
            found = self._read(f"{name}/{filename}")
        if found is None:
            raise self._not_found(kind, name, version, operation)
        raw, modified = found
        if raw is None:
            error = client_error(
                "PayloadTooLargeException",
                f"Template {name} ({filename}) is larger than {MAX_TEMPLATE_FILE_BYTES} bytes",
                operation,
                413,
            )
            error.response["Error"]["Limit"] = MAX_TEMPLATE_FILE_BYTES
            raise error
        body = self._parse(raw, wrapper, name, filename)
        body.setdefault("Version", "1")
        if version is not None and str(body["Version"]) != str(version):
            raise self._not_found(kind, name, version, operation)
        body.setdefault("TemplateName", name)
        body.setdefault("TemplateType", kind)
        body.setdefault("CreationDate", modified)
        body.setdefault("LastModifiedDate", modified)
        return {wrapper: body}

    def _parse(self, raw: bytes, wrapper: str, name: str, filename: str) -> dict[str, Any]:
        try:
            document = json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"{self._describe()}: {name}/{filename} is not valid JSON: {exc}") from exc
        if isinstance(document, Mapping) and isinstance(document.get(wrapper), Mapping):
            document = document[wrapper]  # an exported Get*Template response, wrapper and all
        if not isinstance(document, Mapping):
            raise ValueError(f"{self._describe()}: {name}/{filename} must hold a JSON object")
        return dict(document)

    def _not_found(self, kind: str, name: str, version: str | None, operation: str) -> ClientError:
        which = f"version {version} of " if version is not None else ""
        return client_error(
            "NotFoundException",
            f"{which}{kind} template '{name}' not found in {self._describe()}",
            operation,
            404,
        )


class FileTemplateStore(DocumentTemplateStore):
    """Templates in a directory: ``<root>/<name>/EMAIL.json`` and friends."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _describe(self) -> str:
        return f"file://{self.root}"

    def _read(self, relative_path: str) -> tuple[bytes | None, str] | None:
        path = self.root / relative_path
        try:
            stat = path.stat()
            if stat.st_size > MAX_TEMPLATE_FILE_BYTES:
                return None, _iso(stat.st_mtime)
            return path.read_bytes(), _iso(stat.st_mtime)
        except (FileNotFoundError, NotADirectoryError):
            return None


class S3TemplateStore(DocumentTemplateStore):
    """Templates in S3: ``s3://<bucket>/<prefix>/<name>/EMAIL.json`` and friends."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def _describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def _read(self, relative_path: str) -> tuple[bytes | None, str] | None:
        key = f"{self.prefix}/{relative_path}" if self.prefix else relative_path
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        modified = response.get("LastModified")
        stamp = _iso(modified.timestamp()) if isinstance(modified, dt.datetime) else _EPOCH
        body = response["Body"]
        try:
            if int(response.get("ContentLength") or 0) > MAX_TEMPLATE_FILE_BYTES:
                return None, stamp
            return body.read(), stamp
        finally:
            body.close()


class PinpointTemplateStore:
    """Amazon Pinpoint itself: boto3's client, minus the ``Version=None`` it would reject."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get_email_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self.client.get_email_template(**_version_args(TemplateName, Version))

    def get_sms_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self.client.get_sms_template(**_version_args(TemplateName, Version))

    def get_push_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self.client.get_push_template(**_version_args(TemplateName, Version))

    def get_in_app_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self.client.get_in_app_template(**_version_args(TemplateName, Version))


def build_template_store(
    uri: str, *, s3_client: Any = None, pinpoint_client: Any = None
) -> DocumentTemplateStore | PinpointTemplateStore:
    """``file://<dir>`` (relative or absolute), ``s3://<bucket>/<prefix>`` or ``pinpoint``."""
    uri = (uri or "").strip()
    if uri.startswith("file://") and len(uri) > len("file://"):
        return FileTemplateStore(Path(uri[len("file://") :]))
    if uri.startswith("s3://"):
        bucket, _, prefix = uri[len("s3://") :].partition("/")
        if bucket:
            return S3TemplateStore(s3_client or _client("s3"), bucket, prefix)
    if uri == "pinpoint":
        return PinpointTemplateStore(pinpoint_client or _client("pinpoint"))
    raise ValueError(
        f"TEMPLATE_STORE must be 'file://<dir>', 's3://<bucket>/<prefix>' or 'pinpoint', got {uri!r}"
    )


def _version_args(name: str, version: str | None) -> dict[str, str]:
    return {"TemplateName": name} if version is None else {"TemplateName": name, "Version": version}


def _iso(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _client(service: str) -> Any:
    from engagement.aws import aws_client

    return aws_client(service)
