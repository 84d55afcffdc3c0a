"""Create, through the service APIs, the analytics and operations resources moto's CloudFormation
skips (Glue, Athena, Firehose, CloudWatch alarms, S3 bucket policies, log streams).

Each resource's properties are resolved (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``,
``Fn::If``, ``Fn::Base64``, pseudo parameters) against what the stack already created, then passed
to the service's create call - so botocore validates every shape the template declares, and the
resources exist locally as they will in AWS. Called by ``LocalStack._create_unsupported``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

NO_VALUE = object()


class Resolver:
    def __init__(self, stack: Any, resources: Mapping[str, Any], region: str, account: str, stack_name: str):
        self.stack, self.resources = stack, resources
        self.pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::Partition": "aws",
            "AWS::StackName": stack_name,
            "AWS::URLSuffix": "amazonaws.com",
        }

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.stack.resources:
            return self.stack.resources[name]
        return self.stack.parameters.get(name, self.stack._parameter_defaults.get(name, ""))

    def attribute(self, name: str, attribute: str) -> str:
        physical = self.stack.resources.get(name, "")
        kind = self.resources.get(name, {}).get("Type", "")
        region, account = self.pseudo["AWS::Region"], self.pseudo["AWS::AccountId"]
        if kind == "AWS::SQS::Queue":
            queue = physical.rsplit("/", 1)[-1]
            return queue if attribute == "QueueName" else f"arn:aws:sqs:{region}:{account}:{queue}"
        arns = {
            "AWS::S3::Bucket": f"arn:aws:s3:::{physical}",
            "AWS::KMS::Key": f"arn:aws:kms:{region}:{account}:key/{physical}",
            "AWS::Kinesis::Stream": f"arn:aws:kinesis:{region}:{account}:stream/{physical}",
            "AWS::IAM::Role": f"arn:aws:iam::{account}:role/{physical}",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{region}:{account}:log-group:{physical}:*",
        }
        return arns.get(kind, physical)

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [value for value in (self(item) for item in node) if value is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            function = (
                getattr(self, "_" + key.replace("::", "_"), None) if key.startswith(("Fn::", "Ref")) else None
            )
            if function is not None:
                return function(value)
        return {k: v for k, v in ((k, self(v)) for k, v in node.items()) if v is not NO_VALUE}

    def _Ref(self, name: str) -> Any:  # noqa: N802 - named after the intrinsic
        return self.ref(name)

    def _Fn_GetAtt(self, value: Any) -> str:  # noqa: N802
        name, attribute = value.split(".", 1) if isinstance(value, str) else value
        return self.attribute(name, attribute)

    def _Fn_Sub(self, value: Any) -> str:  # noqa: N802
        text, variables = (value, {}) if isinstance(value, str) else (value[0], self(value[1]))

        def replace(match: re.Match) -> str:
            token = match.group(1)
            if token.startswith("!"):
                return "${" + token[1:] + "}"
            if token in variables:
                return str(variables[token])
            if "." in token and not token.startswith("AWS::"):
                return self.attribute(*token.split(".", 1))
            return str(self.ref(token))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _Fn_Join(self, value: Any) -> str:  # noqa: N802
        return value[0].join(str(item) for item in self(value[1]))

    def _Fn_Base64(self, value: Any) -> str:  # noqa: N802
        return base64.b64encode(str(self(value)).encode()).decode()

    def _Fn_If(self, value: Any) -> Any:  # noqa: N802
        condition, when_true, when_false = value
        return self(when_true if condition in self.stack.true_conditions else when_false)

    def _Fn_Select(self, value: Any) -> Any:  # noqa: N802
        return self(value[1])[int(value[0])]

    def _Fn_Split(self, value: Any) -> list[str]:  # noqa: N802
        return str(self(value[1])).split(value[0])


def _glue_database(client: Callable, name: str, props: dict) -> str:
    client("glue").create_database(DatabaseInput=props["DatabaseInput"])
    return props["DatabaseInput"]["Name"]


def _glue_table(client: Callable, name: str, props: dict) -> str:
    client("glue").create_table(DatabaseName=props["DatabaseName"], TableInput=props["TableInput"])
    return props["TableInput"]["Name"]


def _athena_workgroup(client: Callable, name: str, props: dict) -> str:
    arguments = {"Name": props["Name"], "Configuration": props.get("WorkGroupConfiguration", {})}
    client("athena").create_work_group(**arguments, Description=props.get("Description", ""))
    return props["Name"]


def _firehose(client: Callable, name: str, props: dict) -> str:
    arguments = {k: v for k, v in props.items() if k != "DeliveryStreamEncryptionConfigurationInput"}
    client("firehose").create_delivery_stream(DeliveryStreamName=name, **arguments)
    return name


def _alarm(client: Callable, name: str, props: dict) -> str:
    client("cloudwatch").put_metric_alarm(AlarmName=name, **props)
    return name


def _bucket_policy(client: Callable, name: str, props: dict) -> str:
    client("s3").put_bucket_policy(Bucket=props["Bucket"], Policy=json.dumps(props["PolicyDocument"]))
    return props["Bucket"]


def _log_stream(client: Callable, name: str, props: dict) -> str:
    client("logs").create_log_stream(logGroupName=props["LogGroupName"], logStreamName=props["LogStreamName"])
    return props["LogStreamName"]


CREATORS: dict[str, Callable[[Callable, str, dict], str]] = {
    "AWS::Glue::Database": _glue_database,
    "AWS::Glue::Table": _glue_table,
    "AWS::Athena::WorkGroup": _athena_workgroup,
    "AWS::KinesisFirehose::DeliveryStream": _firehose,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::Logs::LogStream": _log_stream,
}


def create(stack: Any, resources: Mapping[str, Any], *, region: str, account: str, stack_name: str) -> None:
    """Create every resource of a type in ``CREATORS`` that the stack does not have yet."""
    import boto3

    resolve = Resolver(stack, resources, region, account, stack_name)
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = boto3.client(service, region_name=region)
        return clients[service]

    for logical_id, resource in resources.items():
        creator = CREATORS.get(resource["Type"])
        if creator is None or stack.resources.get(logical_id) or not stack.condition_holds(resource):
            continue
        properties = resolve(resource.get("Properties", {}))
        stack.resources[logical_id] = creator(client, f"{stack_name}-{logical_id}", properties)
