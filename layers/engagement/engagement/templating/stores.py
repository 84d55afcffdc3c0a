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

    # -- writes: Pinpoint's Create/Update/Delete{Email,Sms}Template (the HTTP API's template routes)
    def create_email_template(self, **request: Any) -> dict[str, Any]:
        """boto3's ``TemplateName=``, ``EmailTemplateRequest=``."""
        return self._create("EMAIL", request["TemplateName"], request["EmailTemplateRequest"])

    def create_sms_template(self, **request: Any) -> dict[str, Any]:
        """boto3's ``TemplateName=``, ``SMSTemplateRequest=``."""
        return self._create("SMS", request["TemplateName"], request["SMSTemplateRequest"])

    def update_email_template(self, **request: Any) -> dict[str, Any]:
        """boto3's ``TemplateName=``, ``EmailTemplateRequest=``, ``CreateNewVersion=``, ``Version=``."""
        return self._update("EMAIL", request, request["EmailTemplateRequest"])

    def update_sms_template(self, **request: Any) -> dict[str, Any]:
        """boto3's ``TemplateName=``, ``SMSTemplateRequest=``, ``CreateNewVersion=``, ``Version=``."""
        return self._update("SMS", request, request["SMSTemplateRequest"])

    def update_template_active_version(
        self,
        *,
        TemplateName: str,  # noqa: N803
        TemplateType: str,  # noqa: N803
        TemplateActiveVersionRequest: Mapping[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        """Make a kept version the one a send without ``Version`` renders (``<name>/<KIND>.json``)."""
        operation = "UpdateTemplateActiveVersion"
        kind = _kind(TemplateType, operation)
        version = TemplateActiveVersionRequest.get("Version")
        if not version:
            raise client_error(
                "BadRequestException", "TemplateActiveVersionRequest.Version is required", operation, 400
            )
        filename, wrapper, _ = KINDS[kind]
        body = self._get(kind, TemplateName, str(version))[wrapper]
        self._write(f"{TemplateName}/{filename}", json.dumps(body, indent=2, sort_keys=True).encode())
        return {"MessageBody": {"Message": "Accepted", "RequestID": _request_id()}}

    def delete_email_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self._delete("EMAIL", TemplateName, Version)

    def delete_sms_template(self, *, TemplateName: str, Version: str | None = None) -> dict[str, Any]:  # noqa: N803
        return self._delete("SMS", TemplateName, Version)

    # -- listing (ListTemplates, ListTemplateVersions) -------------------------------------
    def list_templates(
        self,
        *,
        NextToken: str | None = None,  # noqa: N803
        PageSize: str | None = None,  # noqa: N803
        Prefix: str | None = None,  # noqa: N803
        TemplateType: str | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        """Every template (each kind of each name: its current version), by name, then kind."""
        from engagement.paging import offset_page

        kinds = [kind for kind in ([TemplateType.upper()] if TemplateType else KINDS) if kind in KINDS]
        items = []
        for name in sorted(self._names()):
            if not (name.startswith(Prefix or "") and _TEMPLATE_NAME.fullmatch(name)):
                continue
            for kind in kinds:  # one read per name and kind: a kind the name lacks is skipped
                try:
                    items.append(_listed(self._get(kind, name, None)[KINDS[kind][1]]))
                except ClientError as error:
                    if error.response.get("Error", {}).get("Code") != "NotFoundException":
                        raise
        return {"TemplatesResponse": offset_page(items, PageSize, NextToken, "ListTemplates")}

    def list_template_versions(
        self,
        *,
        TemplateName: str,  # noqa: N803
        TemplateType: str,  # noqa: N803
        NextToken: str | None = None,  # noqa: N803
        PageSize: str | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        """Every version of one template, newest first (the current one and ``versions/<v>``)."""
        from engagement.paging import offset_page

        kind = _kind(TemplateType, "ListTemplateVersions")
        wrapper = KINDS[kind][1]
        items = [
            _listed(self._get(kind, TemplateName, number)[wrapper], version_only=True)
            for number in reversed(self._version_numbers(kind, TemplateName))
        ]
        page = offset_page(items, PageSize, NextToken, "ListTemplateVersions")
        return {"TemplateVersionsResponse": page}

    def _names(self) -> list[str]:
        """The template names the store holds (its top-level folders)."""
        raise NotImplementedError

    def _version_numbers(self, kind: str, name: str, current: Mapping[str, Any] | None = None) -> list[str]:
        """Every version of a template, oldest first: the current one (``current``, read if not
        given) and each kept one."""
        filename, wrapper, _ = KINDS[kind]
        current = current or self._get(kind, name, None)[wrapper]
        numbers = {str(current["Version"])} | {path.split("/")[-2] for path in self._versions(name, filename)}
        return sorted(numbers, key=lambda v: int(v) if v.isdigit() else 0)

    # -- to implement ----------------------------------------------------------------------
    def _read(self, relative_path: str) -> tuple[bytes | None, str] | None:
        """Bytes and last-modified time (ISO 8601) of a document; ``None`` if absent.

        The bytes are ``None`` when the document is over ``MAX_TEMPLATE_FILE_BYTES``: it is
        refused without being read.
        """
        raise NotImplementedError

    def _describe(self) -> str:
        raise NotImplementedError

    def _write(self, relative_path: str, data: bytes) -> None:
        """Store a document (writes only: the read-only stores need not implement it)."""
        raise NotImplementedError

    def _remove(self, relative_paths: list[str]) -> None:
        """Remove documents; absent ones are ignored."""
        raise NotImplementedError

    def _versions(self, name: str, filename: str) -> list[str]:
        """Relative paths of every ``<name>/versions/<v>/<filename>``."""
        raise NotImplementedError

    # -- shared logic ----------------------------------------------------------------------
    def _get(self, kind: str, name: Any, version: str | None) -> dict[str, Any]:
        filename, wrapper, operation = KINDS[kind]
        _check_name(name, operation)
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

    def _create(self, kind: str, name: str, request: dict[str, Any]) -> dict[str, Any]:
        filename, _, operation = _write_kind(kind, "Create")
        _check_template(name, request, operation)
        if self._read(f"{name}/{filename}") is not None:
            raise client_error(
                "BadRequestException", f"{kind} template '{name}' already exists", operation, 400
            )
        now = _iso(dt.datetime.now(dt.UTC).timestamp())
        body = {**request, "TemplateName": name, "TemplateType": kind, "Version": "1"}
        body.update(CreationDate=now, LastModifiedDate=now, Arn=_template_arn(name, kind))
        self._put_version(name, filename, body, latest=True)
        return {
            "CreateTemplateMessageBody": {
                "Arn": body["Arn"],
                "Message": "Created",
                "RequestID": _request_id(),
            }
        }

    def _update(self, kind: str, args: Mapping[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        name, version = args["TemplateName"], args.get("Version")
        new_version = bool(args.get("CreateNewVersion"))
        filename, wrapper, operation = _write_kind(kind, "Update")
        _check_template(name, request, operation)
        current = self._get(kind, name, None)[wrapper]
        highest = self._version_numbers(kind, name, current)[
            -1
        ]  # the latest, even when an older one is active
        target = self._get(kind, name, version if version is not None and not new_version else highest)[
            wrapper
        ]
        body = {**request, "TemplateName": name, "TemplateType": kind, "Arn": _template_arn(name, kind)}
        body["CreationDate"] = target.get("CreationDate", _EPOCH)
        body["LastModifiedDate"] = _iso(dt.datetime.now(dt.UTC).timestamp())
        if new_version:
            body["Version"] = str(_next_version(highest))
        else:
            body["Version"] = str(target["Version"])
        # A new version becomes the active one; an edit of the active version stays active.
        self._put_version(
            name, filename, body, latest=new_version or body["Version"] == str(current["Version"])
        )
        return {"MessageBody": {"Message": "Accepted", "RequestID": _request_id()}}

    def _delete(self, kind: str, name: str, version: str | None) -> dict[str, Any]:
        filename, wrapper, operation = _write_kind(kind, "Delete")
        latest = self._get(kind, name, None)[wrapper]
        if version is None:
            self._remove([f"{name}/{filename}", *self._versions(name, filename)])
        elif str(version) == str(latest.get("Version")):
            raise client_error(
                "BadRequestException",
                f"version {version} is the current version of {kind} template '{name}'; "
                "delete the template (no Version) or publish a newer version first",
                operation,
                400,
            )
        else:
            self._get(kind, name, version)  # 404 for an unknown version
            self._remove([f"{name}/versions/{version}/{filename}"])
        return {"MessageBody": {"Message": "Deleted", "RequestID": _request_id()}}

    def _put_version(self, name: str, filename: str, body: dict[str, Any], *, latest: bool) -> None:
        data = json.dumps(body, indent=2, sort_keys=True).encode()
        self._write(f"{name}/versions/{body['Version']}/{filename}", data)
        if latest:
            self._write(f"{name}/{filename}", data)

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

    def _write(self, relative_path: str, data: bytes) -> None:
        path = self.root / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.tmp")
        staging.write_bytes(data)
        staging.replace(path)  # atomic: a reader sees the old or the new document, never half

    def _remove(self, relative_paths: list[str]) -> None:
        for relative_path in relative_paths:
            (self.root / relative_path).unlink(missing_ok=True)

    def _versions(self, name: str, filename: str) -> list[str]:
        return [str(p.relative_to(self.root)) for p in (self.root / name / "versions").glob(f"*/{filename}")]

    def _names(self) -> list[str]:
        return [p.name for p in self.root.iterdir() if p.is_dir()] if self.root.is_dir() else []


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

    def _key(self, relative_path: str) -> str:
        return f"{self.prefix}/{relative_path}" if self.prefix else relative_path

    def _write(self, relative_path: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(relative_path), Body=data, ContentType="application/json"
        )

    def _remove(self, relative_paths: list[str]) -> None:
        for start in range(0, len(relative_paths), 1000):
            objects = [{"Key": self._key(p)} for p in relative_paths[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})

    def _versions(self, name: str, filename: str) -> list[str]:
        start = len(self._key(""))
        paginator = self.client.get_paginator("list_objects_v2")
        return [
            item["Key"][start:]
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(f"{name}/versions/"))
            for item in page.get("Contents", [])
            if item["Key"].endswith(f"/{filename}")
        ]

    def _names(self) -> list[str]:
        start = len(self._key(""))
        paginator = self.client.get_paginator("list_objects_v2")
        return [
            common["Prefix"][start:].rstrip("/")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(""), Delimiter="/")
            for common in page.get("CommonPrefixes", [])
        ]


class PinpointTemplateStore:
    """Amazon Pinpoint itself: boto3's client, minus the ``Version=None`` it would reject."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        """The email/SMS template writes (``create_email_template``...) and the listings go to
        Pinpoint unchanged."""
        if name in TEMPLATE_WRITES or name in ("list_templates", "list_template_versions"):
            return getattr(self.client, name)
        raise AttributeError(name)

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


TEMPLATE_WRITES = frozenset(
    [f"{verb}_{kind}_template" for verb in ("create", "update", "delete") for kind in ("email", "sms")]
    + ["update_template_active_version"]
)


def _kind(template_type: Any, operation: str) -> str:
    """A ``TemplateType`` path value (``EMAIL``, ``sms``...) as a kind of this store, else a 400."""
    kind = str(template_type or "").upper()
    if kind not in KINDS:
        raise client_error(
            "BadRequestException", f"TemplateType: {template_type!r} is not a template type", operation, 400
        )
    return kind


def _write_kind(kind: str, verb: str) -> tuple[str, str, str]:
    """File name, response wrapper and boto3 operation name of a template write."""
    filename, wrapper, _ = KINDS[kind]
    return filename, wrapper, f"{verb}{kind.capitalize()}Template"


def _check_name(name: Any, operation: str) -> None:
    """Pinpoint's template name rule; a 400 naming the value otherwise."""
    if not isinstance(name, str) or not _TEMPLATE_NAME.fullmatch(name):
        raise client_error(
            "BadRequestException",
            f"Invalid TemplateName {name!r}: use 1-128 letters, digits, '_' or '-'",
            operation,
            400,
        )


def _check_template(name: Any, request: Any, operation: str) -> None:
    """A valid name and parts that compile: a template that cannot render is refused when written."""
    _check_name(name, operation)
    if not isinstance(request, Mapping):
        raise client_error(
            "BadRequestException", "the template request must be a JSON object", operation, 400
        )
    from engagement.templating import TemplateError, compile_template

    for part in ("Subject", "HtmlPart", "TextPart", "Body"):
        source = request.get(part)
        if source is None:
            continue
        try:
            compile_template(str(source))
        except TemplateError as error:
            raise client_error("BadRequestException", f"{part}: {error}", operation, 400) from error


def _next_version(version: Any) -> int:
    return int(version) + 1 if str(version).isdigit() else 2


def _template_arn(name: str, kind: str) -> str:
    return f"arn:aws:mobiletargeting:::templates/{name}/{kind}"


def _request_id() -> str:
    import uuid

    return str(uuid.uuid4())


def _version_args(name: str, version: str | None) -> dict[str, str]:
    return {"TemplateName": name} if version is None else {"TemplateName": name, "Version": version}


def _iso(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _client(service: str) -> Any:
    from engagement.aws import aws_client

    return aws_client(service)


# TemplateResponse (ListTemplates) and TemplateVersionResponse (ListTemplateVersions) members.
_LISTED = (
    "CreationDate",
    "DefaultSubstitutions",
    "LastModifiedDate",
    "TemplateDescription",
    "TemplateName",
    "TemplateType",
    "Version",
)


def _listed(body: Mapping[str, Any], *, version_only: bool = False) -> dict[str, Any]:
    """A template as its list entry: its descriptive fields, not its content."""
    fields = _LISTED if version_only else (*_LISTED, "Arn", "tags")
    return {key: body[key] for key in fields if body.get(key) is not None}
