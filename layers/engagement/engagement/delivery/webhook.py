"""Signed HTTPS webhook: POST a JSON body, HMAC-SHA256 over ``f"{timestamp}.{body}"``.

The receiver checks ``X-Engagement-Signature: t=<unix seconds>,v1=<hex digest>`` with the shared
secret and rejects old timestamps, so a captured request cannot be replayed later
(docs/custom-channel.md shows the check). 429, 5xx, timeouts and connection errors are retried
with exponential backoff and full jitter, within the caller's deadline; other 4xx are final.
Redirects are not followed: a signed body goes only where it was configured to go.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from engagement.delivery.errors import PermanentDeliveryError, TemporaryDeliveryError

SIGNATURE_HEADER = "X-Engagement-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def validate_webhook_url(url: str) -> str:
    """Allow ``https://`` anywhere, ``http://`` only to loopback (the local stack's receiver)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return url
    raise ValueError("webhook URL must be https:// (http:// is allowed only to 127.0.0.1, ::1 or localhost)")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class WebhookSender:
    """POST one JSON payload to the configured URL; return the message id it was sent with."""

    def __init__(
        self,
        url: str,
        secret: Callable[[], str],
        *,
        pool: Any = None,
        timeout_s: float = 3.0,
        max_attempts: int = 3,
        base_delay_s: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ):
        self.url = validate_webhook_url(url)
        self._secret = secret
        self._pool = pool
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self._sleep = sleep
        self._clock = clock

    @property
    def pool(self) -> Any:
        if self._pool is None:
            import urllib3

            self._pool = urllib3.PoolManager(maxsize=16, retries=False)
        return self._pool

    def send(
        self,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str = "",
        time_left_s: Callable[[], float] = lambda: float("inf"),
    ) -> str:
        """Deliver ``payload``; ``time_left_s`` bounds each attempt and stops retries in time."""
        message_id = str(uuid.uuid4())
        body = json.dumps({**payload, "message_id": message_id}, separators=(",", ":"), default=str).encode()
        last = TemporaryDeliveryError("webhook_not_attempted")
        for attempt in range(self.max_attempts):
            if attempt:
                delay = random.uniform(0, self.base_delay_s * 2**attempt)  # full jitter
                if time_left_s() < delay + 0.5:
                    break
                self._sleep(delay)
            timeout = min(self.timeout_s, time_left_s())
            if timeout <= 0.05:
                break
            status = self._post(body, idempotency_key, timeout)
            if 200 <= status < 300:
                return message_id
            if status and not _retryable(status):
                raise PermanentDeliveryError(f"http_{status}", "the receiver refused the request")
            last = TemporaryDeliveryError(f"http_{status}" if status else "webhook_unreachable")
        raise last

    def _post(self, body: bytes, idempotency_key: str, timeout: float) -> int:
        """Return the HTTP status, or 0 when the request did not complete (timeout, refused)."""
        import urllib3

        headers = {
            "Content-Type": "application/json",
            "User-Agent": "engagement-custom-channel/1",
            SIGNATURE_HEADER: sign(self._secret(), int(self._clock()), body),
        }
        if idempotency_key:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        try:
            response = self.pool.request(
                "POST",
                self.url,
                body=body,
                headers=headers,
                timeout=urllib3.Timeout(connect=min(timeout, 2.0), read=timeout),
                retries=False,
                redirect=False,
            )
        except urllib3.exceptions.HTTPError:
            return 0
        return response.status
