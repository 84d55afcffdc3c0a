"""Transient or permanent? Decides whether a failed record is retried or set aside.

Transient (throttling, a service or the network briefly unavailable): report the record as a
batch-item failure so Lambda retries it, and after the retries it lands in the on-failure queue.
Permanent (the request itself is wrong): retrying cannot help; quarantine it with the reason.
"""

from __future__ import annotations

TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "LimitExceededException",
        "InternalServerError",
        "InternalServerErrorException",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
        "TransactionConflictException",
        "ConflictException",  # the registry lost optimistic-concurrency races: try again later
        "SlowDown",
    }
)
PERMANENT_CODES = frozenset({"BadRequestException", "ValidationException", "InvalidParameterValue"})


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_permanent(exc: BaseException) -> bool:
    """Only errors that say "this request is wrong" are permanent; anything unknown is retried.

    Retrying an unknown error (including a bug in this code) is the safe side: it ends in the
    on-failure queue, from where ``engagement stream redrive`` re-processes it after a fix.
    """
    return error_code(exc) in PERMANENT_CODES
