"""One pending code per (application, reference id, destination), in DynamoDB.

The item holds no code and no phone number: its key is a SHA-256 of the three ids, the code is
kept as an HMAC-SHA256 keyed with a random per-item salt, and ``expires_at`` is the table's TTL
attribute (DynamoDB deletes expired items within days; reads check the time themselves).
Every write is conditional on the item's salt, so a newer Send (a new salt) is never consumed
or deleted by a verification of the previous code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

_CONDITION_FAILED = "ConditionalCheckFailedException"


@dataclass(frozen=True)
class PendingCode:
    """A stored code: its salt and digest, the attempts left and when it expires (epoch s)."""

    salt: bytes
    digest: bytes
    attempts_left: int
    expires_at: int


def record_key(application_id: str, reference_id: str, destination: str) -> str:
    """The item's key: a digest of the three ids (the table never holds the phone number)."""
    joined = "\x1f".join((application_id, reference_id, destination))
    return hashlib.sha256(joined.encode()).hexdigest()


class OtpStore:
    """``put`` / ``get`` / ``use_attempt`` / ``consume`` on the OTP table (boto3 client)."""

    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self._client = client

    def put(self, key: str, code: PendingCode) -> None:
        """Store ``code`` under ``key``, replacing any earlier code (a resend)."""
        self._client.put_item(
            TableName=self.table_name,
            Item={
                "id": {"S": key},
                "salt": {"B": code.salt},
                "digest": {"B": code.digest},
                "attempts_left": {"N": str(code.attempts_left)},
                "expires_at": {"N": str(code.expires_at)},
            },
        )

    def get(self, key: str) -> PendingCode | None:
        item = self._client.get_item(TableName=self.table_name, Key={"id": {"S": key}}, ConsistentRead=True)
        item = item.get("Item")
        if not item:
            return None
        return PendingCode(
            salt=bytes(item["salt"]["B"]),
            digest=bytes(item["digest"]["B"]),
            attempts_left=int(item["attempts_left"]["N"]),
            expires_at=int(item["expires_at"]["N"]),
        )

    def use_attempt(self, key: str, salt: bytes, now: int) -> bool:
        """Take one attempt from the code salted ``salt``; ``False`` when none is left, it expired
        or it was replaced (one atomic conditional update: concurrent guesses cannot overdraw)."""
        return self._conditional(
            self._client.update_item,
            Key={"id": {"S": key}},
            UpdateExpression="SET attempts_left = attempts_left - :one",
            ConditionExpression="salt = :salt AND attempts_left > :zero AND expires_at > :now",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":zero": {"N": "0"},
                ":now": {"N": str(now)},
                ":salt": {"B": salt},
            },
        )

    def consume(self, key: str, salt: bytes) -> bool:
        """Delete the code salted ``salt``; ``False`` when it is already gone (used or replaced)."""
        return self._conditional(
            self._client.delete_item,
            Key={"id": {"S": key}},
            ConditionExpression="salt = :salt",
            ExpressionAttributeValues={":salt": {"B": salt}},
        )

    def _conditional(self, call: Any, **kwargs: Any) -> bool:
        try:
            call(TableName=self.table_name, **kwargs)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == _CONDITION_FAILED:
                return False
            raise
        return True
