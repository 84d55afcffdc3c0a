"""Demo step: a stock boto3 Pinpoint client talks to this backend's HTTP API.

``update_endpoint`` registers a user's email, phone and an opted-out address, then
``send_users_messages`` sends to the user id - every endpoint of the user, the opted-out one
answered ``OPT_OUT`` and never sent - and the transactional records land on the event stream.
The API is served on loopback by ``local/serve.py`` (what ``make serve`` runs).
"""

from __future__ import annotations

import json
import uuid
import warnings
from typing import Any

from local.console import heading, step, table
from local.demo_channel import sms_stub
from local.seed import seed
from local.stack import LocalStack

USER_ID = "demo-user-42"


def stream_records(stack: LocalStack, application_id: str) -> list[dict[str, Any]]:
    """This application's records on the event stream; other steps' deliberately bad ones are skipped."""
    import boto3

    kinesis, stream = boto3.client("kinesis"), stack.physical_id("EventStream")
    found: list[dict[str, Any]] = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        start = {"StreamName": stream, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"}
        page: dict[str, Any] = {
            "Records": [{}],
            "NextShardIterator": kinesis.get_shard_iterator(**start)["ShardIterator"],
        }
        while page["Records"] and page.get("NextShardIterator"):
            page = kinesis.get_records(ShardIterator=page["NextShardIterator"], Limit=1000)
            found += [
                r
                for r in map(_decode, page["Records"])
                if (r.get("application") or {}).get("app_id") == application_id
            ]
    return found


def _decode(item: dict[str, Any]) -> dict[str, Any]:
    try:
        record = json.loads(item["Data"])
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def run(stack: LocalStack) -> None:
    from engagement.client import pinpoint
    from local.serve import ApiServer

    heading("Pinpoint's API, served: a stock boto3 Pinpoint client against this backend")
    seed(stack)
    application_id = uuid.uuid4().hex
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    with (
        sms_stub() as sms,
        ApiServer(
            stack, env={"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
        ) as api,
    ):
        step(f'client = engagement.client.pinpoint("{api.url}")  # boto3, signed for execute-api')
        client = pinpoint(api.url)

        step(f"update_endpoint x3 for UserId={USER_ID}: email, SMS, and an email address that opted out")
        endpoints = {
            "web": {"ChannelType": "EMAIL", "Address": "lin@example.com"},
            "phone": {"ChannelType": "SMS", "Address": "+12065550199"},
            "old-mail": {"ChannelType": "EMAIL", "Address": "lin.old@example.com", "OptOut": "ALL"},
        }
        for endpoint_id, request in endpoints.items():
            user = {"UserId": USER_ID, "UserAttributes": {"FirstName": ["lin"]}}
            client.update_endpoint(
                ApplicationId=application_id,
                EndpointId=endpoint_id,
                EndpointRequest={**request, "User": user},
            )

        step(f"send_users_messages(Users={{'{USER_ID}': {{}}}}, TemplateConfiguration=welcome)")
        response = client.send_users_messages(
            ApplicationId=application_id,
            SendUsersMessageRequest={
                "Users": {USER_ID: {}},
                "MessageConfiguration": {"SMSMessage": {"MessageType": "TRANSACTIONAL"}},
                "TemplateConfiguration": {
                    "EmailTemplate": {"Name": "welcome"},
                    "SMSTemplate": {"Name": "welcome"},
                },
                "TraceId": "demo-trace",
            },
        )["SendUsersMessageResponse"]
        results = response["Result"][USER_ID]
        table(
            [
                (k, v["DeliveryStatus"], v["StatusCode"], v["StatusMessage"][:48])
                for k, v in sorted(results.items())
            ],
            ["EndpointId", "DeliveryStatus", "StatusCode", "StatusMessage"],
        )
        print(f"   SMS sent through End User Messaging (stubbed): {sms.sent[-1]['MessageBody'][:60]!r}")

        step("the event stream: transactional records, no campaign or journey ids")
        records = [
            r
            for r in stream_records(stack, application_id)
            if r["attributes"].get("trace_id") == "demo-trace"
        ]
        table(
            [(r["event_type"], r["client"]["client_id"], "campaign_id" in r["attributes"]) for r in records],
            ["event_type", "client_id", "has campaign_id"],
        )

        step("phone_number_validate and list_templates: from libphonenumber's data and the template store")
        for number in ("+4915123456789", "+12065550100", "12"):
            found = client.phone_number_validate(NumberValidateRequest={"PhoneNumber": number})
            body = found["NumberValidateResponse"]
            where = body.get("Country") or body.get("CountryCodeIso2") or "-"
            print(f"   {number:<15} {body['PhoneType']:<8} {where:<14} {body.get('Timezone', '-')}")
        names = [
            f"{t['TemplateName']}/{t['TemplateType']} v{t['Version']}"
            for t in client.list_templates()["TemplatesResponse"]["Item"]
        ]
        print(f"   templates: {', '.join(names)}")

        step("a plain boto3 client signs for 'mobiletargeting': refused like API Gateway would")
        import boto3
        from botocore.exceptions import ClientError

        try:
            boto3.client("pinpoint", endpoint_url=api.url).get_user_endpoints(
                ApplicationId=application_id, UserId=USER_ID
            )
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            print(f"   {status}: {error.response['Error']['Message']}")
