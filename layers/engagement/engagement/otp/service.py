"""``send_otp_message`` / ``verify_otp_message``: Pinpoint's one-time passwords, boto3-shaped.

Send generates a code with :mod:`secrets`, stores only its salted HMAC (:mod:`engagement.otp.store`)
and texts it through End User Messaging (:class:`engagement.delivery.sms.SmsSender`). Verify takes
one attempt atomically, compares in constant time and deletes the code on success (one use).
Ranges and the message body follow Pinpoint's developer guide; where it is silent (defaults,
unsupported channels, failed sends) docs/otp.md says what we chose. Neither the code nor the
phone number is ever logged (:func:`engagement.masking.mask_address`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from engagement.delivery.errors import DeliveryError, PermanentDeliveryError, RecipientOptedOutError
from engagement.delivery.senders import india_dlt
from engagement.masking import mask_address
from engagement.models.errors import BadRequestException
from engagement.otp.store import OtpStore, PendingCode, record_key

logger = Logger(child=True)

# Pinpoint's developer guide ("Generate one-time passwords"): the ranges; the defaults are ours.
CODE_LENGTH = (5, 8, 6)  # (min, max, default) digits
VALIDITY_MINUTES = (5, 60, 15)
ALLOWED_ATTEMPTS = (1, 5, 3)
MAX_BRAND_NAME = 20
SUPPORTED_CHANNEL = "SMS"
# Pinpoint's own template for the OTP text ("... is automatically inserted into the following").
BODY = "This is your One Time Password: {code} from {brand}"
SALT_BYTES = 16
Body = dict[str, Any]  # a boto3 request or response dict


@dataclass
class OtpService:
    """The two OTP operations of boto3's ``pinpoint`` client."""

    store: OtpStore
    sms: Any  # SmsSender
    clock: Callable[[], float] = time.time

    # -- boto3 methods ---------------------------------------------------------------------
    def send_otp_message(self, *, ApplicationId: str, SendOTPMessageRequestParameters: Body) -> Body:  # noqa: N803
        params = SendOTPMessageRequestParameters
        length = _bounded(params, "CodeLength", CODE_LENGTH)
        minutes = _bounded(params, "ValidityPeriod", VALIDITY_MINUTES)
        attempts = _bounded(params, "AllowedAttempts", ALLOWED_ATTEMPTS)
        brand = _brand(params.get("BrandName"))
        destination = str(params["DestinationIdentity"])
        response = {"ApplicationId": ApplicationId, "RequestId": str(uuid.uuid4())}
        if params["Channel"] != SUPPORTED_CHANNEL:
            detail = f"Channel {params['Channel']} is not served by this backend; use SMS"
            response["Result"] = {destination: _result("PERMANENT_FAILURE", 400, detail)}
            return {"MessageResponse": response}
        phone = _phone(destination, "SendOTPMessage")
        code = "".join(secrets.choice("0123456789") for _ in range(length))
        salt = secrets.token_bytes(SALT_BYTES)
        key = record_key(ApplicationId, str(params["ReferenceId"]), phone)
        expires_at = int(self.clock()) + minutes * 60
        self.store.put(key, PendingCode(salt, _digest(salt, code), attempts, expires_at))
        result = self._text(ApplicationId, params, phone, BODY.format(code=code, brand=brand))
        if result["DeliveryStatus"] != "SUCCESSFUL":
            self.store.consume(key, salt)  # nobody received it: leave no code to guess
        logger.info(
            "OTP sent",
            extra={"destination": mask_address(phone), "reference_id": params["ReferenceId"],
                   "delivery_status": result["DeliveryStatus"], "code_length": length},
        )  # fmt: skip
        response["Result"] = {destination: result}
        return {"MessageResponse": response}

    def verify_otp_message(self, *, ApplicationId: str, VerifyOTPMessageRequestParameters: Body) -> Body:  # noqa: N803
        params = VerifyOTPMessageRequestParameters
        valid = self._verify(ApplicationId, params)
        logger.info(
            "OTP verified",
            extra={"destination": mask_address(str(params["DestinationIdentity"])),
                   "reference_id": params["ReferenceId"], "valid": valid},
        )  # fmt: skip
        return {"VerificationResponse": {"Valid": valid}}

    # -- internals -------------------------------------------------------------------------
    def _verify(self, application_id: str, params: Mapping[str, Any]) -> bool:
        try:
            phone = _phone(str(params["DestinationIdentity"]), "VerifyOTPMessage")
        except BadRequestException:
            return False  # no code can have been sent to it
        key = record_key(application_id, str(params["ReferenceId"]), phone)
        now = int(self.clock())
        pending = self.store.get(key)
        if pending is None or pending.expires_at <= now:
            return False
        if not self.store.use_attempt(key, pending.salt, now):
            return False  # no attempt left, expired or replaced meanwhile
        if not hmac.compare_digest(_digest(pending.salt, str(params["Otp"])), pending.digest):
            return False
        return self.store.consume(key, pending.salt)  # False: a concurrent verify used it first

    def _text(self, application_id: str, params: Mapping[str, Any], phone: str, body: str) -> dict[str, Any]:
        from engagement.delivery.sms import TextMessage

        message = TextMessage(
            phone,
            body,
            context={"application_id": application_id, "otp_reference_id": str(params["ReferenceId"])},
            origination_identity=params.get("OriginationIdentity") or None,
            country_parameters=india_dlt(params),
        )
        try:
            message_id = self.sms.send(message)
        except RecipientOptedOutError:
            return _result("OPT_OUT", 400, "The address is on the provider's opt-out list; not sent")
        except DeliveryError as error:
            status, code = ("TEMPORARY_FAILURE", 500) if error.temporary else ("PERMANENT_FAILURE", 400)
            return _result(status, code, f"{error.reason}: {error.detail}" if error.detail else error.reason)
        return {**_result("SUCCESSFUL", 200, f"MessageId: {message_id}"), "MessageId": message_id}


def _result(status: str, code: int, message: str) -> dict[str, Any]:
    return {"DeliveryStatus": status, "StatusCode": code, "StatusMessage": message}


def _digest(salt: bytes, code: str) -> bytes:
    return hmac.new(salt, code.encode(), hashlib.sha256).digest()


def _bounded(params: Mapping[str, Any], name: str, bounds: tuple[int, int, int]) -> int:
    low, high, default = bounds
    value = params.get(name)
    if value is None:
        return default
    if not low <= int(value) <= high:
        raise BadRequestException(f"{name} must be between {low} and {high}", "SendOTPMessage")
    return int(value)


def _brand(brand: Any) -> str:
    brand = str(brand or "").strip()
    if not brand or len(brand) > MAX_BRAND_NAME:
        raise BadRequestException(f"BrandName must have 1 to {MAX_BRAND_NAME} characters", "SendOTPMessage")
    return brand


def _phone(destination: str, operation: str) -> str:
    """``destination`` in E.164 (the registry's rules), or a 400 naming the field."""
    from engagement.channel.routing import check_address

    try:
        return check_address("SMS", destination)
    except PermanentDeliveryError as error:
        raise BadRequestException(
            f"DestinationIdentity is not a valid phone number ({error.reason})", operation
        ) from error
