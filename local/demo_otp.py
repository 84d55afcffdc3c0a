"""Demo step: one-time passwords through the served API (``send_otp_message`` / ``verify_otp_message``).

A stock boto3 Pinpoint client asks for a code for a phone number; the code is texted through End
User Messaging (stubbed) and stored only as a salted HMAC in ``OtpTable``. A wrong guess, the right
code and a replay are verified: ``False``, ``True``, ``False`` (single use). The code itself is
never printed.
"""

from __future__ import annotations

import re
import uuid

from local.console import heading, step, table
from local.demo_channel import sms_stub
from local.stack import LocalStack

PHONE = "+12065550142"
QUIET = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}


def run(stack: LocalStack) -> None:
    import boto3

    from engagement.client import pinpoint
    from local.serve import ApiServer

    heading("One-time passwords: SendOTPMessage / VerifyOTPMessage on the served API")
    app, reference = uuid.uuid4().hex, "demo-login"
    with sms_stub() as sms, ApiServer(stack, env=QUIET) as api:
        client = pinpoint(api.url)
        step("send_otp_message(Channel=SMS, BrandName=ExampleCorp, ReferenceId=demo-login)")
        params = {"Channel": "SMS", "BrandName": "ExampleCorp", "DestinationIdentity": PHONE,
                  "OriginationIdentity": "+12065550000", "ReferenceId": reference}  # fmt: skip
        result = client.send_otp_message(ApplicationId=app, SendOTPMessageRequestParameters=params)
        print(f"   {result['MessageResponse']['Result'][PHONE]['DeliveryStatus']}")
        body = sms.sent[-1]["MessageBody"]
        code = re.findall(r"\d+", body)[0]
        print(f"   SMS (stubbed): {body.replace(code, '*' * len(code))!r}")
        items = boto3.client("dynamodb").scan(TableName=stack.physical_id("OtpTable"))["Items"]
        print(f"   OtpTable item attributes: {sorted(items[0])} (no code, no phone number)")

        step("verify_otp_message: a wrong guess, the right code, the right code again")
        rows = []
        for label, otp in (
            ("wrong", "000000" if code != "000000" else "111111"),
            ("right", code),
            ("replay", code),
        ):
            verify = {"DestinationIdentity": PHONE, "ReferenceId": reference, "Otp": otp}
            answer = client.verify_otp_message(ApplicationId=app, VerifyOTPMessageRequestParameters=verify)
            rows.append((label, answer["VerificationResponse"]["Valid"]))
        table(rows, ["Otp", "Valid"])
