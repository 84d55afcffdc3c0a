"""Signed HTTPS webhook: POST a JSON body, HMAC-SHA256 over ``f"{timestamp}.{idempotency_key}.{body}"``.

The receiver checks ``X-Engagement-Signature: t=<unix seconds>,v2=<hex digest>`` with the shared
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
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# Cloud metadata services: never a webhook, whatever the settings say.
METADATA_NAMES = frozenset(
    {"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"}
)


def _address_problem(host: str, allow_private: bool) -> str | None:
    """Why ``host`` (a name or a literal IP) must not receive signed requests, or None."""
    import ipaddress

    name = host.lower().rstrip(".")
    if name in METADATA_NAMES:
        return "a metadata service"
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return None if allow_private else "loopback"
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return None  # a DNS name; checked again when resolved (``resolved_problem``)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_link_local or str(ip) in ("169.254.169.254", "fd00:ec2::254"):
        return "link-local or a metadata service"
    if ip.is_unspecified or ip.is_multicast:
        return "not a unicast address"
    if ip.is_loopback or ip.is_private:
        return None if allow_private else "loopback or private"
    if ip.is_reserved:
        return "not a unicast address"
    return None


def resolved_problem(host: str, allow_private: bool) -> str | None:
    """The first refused address ``host`` resolves to (DNS names pointing inside), or None."""
    import socket

    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # unresolvable now: the send will fail as unreachable, nothing leaks
    for info in infos:
        problem = _address_problem(str(info[4][0]).split("%")[0], allow_private)
        if problem:
            return problem
    return None


def validate_webhook_url(url: str, *, allow_private: bool = False, resolve: bool = False) -> str:
    """``https://`` to a public host. Link-local and metadata addresses are always refused;
    loopback and private ranges (and plain ``http://``, loopback only) need ``allow_private``,
    which is for the local stack (``WEBHOOK_ALLOW_PRIVATE=true``)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError("webhook URL must be an https:// URL with a host")
    problem = _address_problem(host, allow_private)
    if problem is None and resolve:
        problem = resolved_problem(host, allow_private)
    if problem:
        hint = (
            ""
            if "metadata" in problem or "link-local" in problem
            else " (WEBHOOK_ALLOW_PRIVATE=true for local use)"
        )
        raise ValueError(f"webhook URL host is {problem}: refused{hint}")
    if parts.scheme == "http" and not (allow_private and _is_loopback(host)):
        raise ValueError(
            "webhook URL must be https:// (http:// only to loopback, with WEBHOOK_ALLOW_PRIVATE)"
        )
    return url


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign(secret: str, timestamp: int, body: bytes, idempotency_key: str = "") -> str:
    """The signature header value: HMAC-SHA256 over ``"<t>.<Idempotency-Key>.<body>"``.

    The key is signed too, so a man in the middle cannot change it to make the receiver
    accept the same message twice (``v2``; ``v1`` signed only the timestamp and body).
    """
    signed = f"{timestamp}.{idempotency_key}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v2={digest}"


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class WebhookSender:
    """POST one JSON payload to the configured URL; return the message id it was sent with."""

    def __init__(
        self,
        url: str,
        secret: Callable[[], str],
        *,
        allow_private: bool = False,
        pool: Any = None,
        timeout_s: float = 3.0,
        max_attempts: int = 3,
        base_delay_s: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ):
        self.url = validate_webhook_url(url, allow_private=allow_private)
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
            SIGNATURE_HEADER: sign(self._secret(), int(self._clock()), body, idempotency_key),
        }
        if idempotency_key:
            headers[IDEMPOTENCY_HEADER] = idempotency_key  # also inside the signature
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
