"""The Docker-free local stack: moto's server on loopback, built from ``template.yaml``.

``sam local`` needs Docker, which these machines lack. Instead we translate the SAM template
with aws-sam-translator (the same transform CloudFormation applies) and create the result as
a stack in moto's CloudFormation, so every table, stream, queue, rule, role and state machine
comes from the one template (docs/decisions/0001-local-stack.md). boto3 reaches the server
through the standard ``AWS_ENDPOINT_URL`` variable, so library code has no local branches.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
STACK_NAME = "engagement-local"
ARTIFACT_BUCKET = "engagement-local-artifacts"

# What any AWS SDK in this process (and its children) needs to talk to the local stack.
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Parse a SAM/CloudFormation template, short-form tags (``!Ref``) included."""
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(path.read_text())


def translate(template: Mapping[str, Any], parameters: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Apply the SAM transform offline, like CloudFormation does on deploy."""
    import boto3
    from samtranslator.public.translator import ManagedPolicyLoader
    from samtranslator.translator.transform import transform

    loader = ManagedPolicyLoader(boto3.client("iam", region_name=REGION))
    return transform(dict(template), dict(parameters or {}), loader)


def package(template: Mapping[str, Any], bucket: str, key: str, base: Path = REPO_ROOT) -> dict[str, Any]:
    """What ``sam package`` does, offline: code paths become S3 locations, ASL files are inlined.

    moto never runs the code (handlers run in-process), so every function and layer points at
    one placeholder artifact.
    """
    packaged = json.loads(json.dumps(template))
    location = {"Bucket": bucket, "Key": key}
    for resource in packaged.get("Resources", {}).values():
        props = resource.setdefault("Properties", {})
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function" and "InlineCode" not in props:
            props["CodeUri"] = dict(location)
        elif kind == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = dict(location)
        elif kind == "AWS::Serverless::StateMachine" and isinstance(props.get("DefinitionUri"), str):
            props["Definition"] = load_definition(base / props.pop("DefinitionUri"))
    return packaged


def load_definition(path: Path) -> dict[str, Any]:
    """Read a state machine definition (JSON or YAML ASL)."""
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(path.read_text())


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def lambda_handler(event, context):\n    return None\n")
    return buffer.getvalue()


# Resource types moto's CloudFormation does not model and that nothing local depends on.
# moto creates API Gateway methods and deployments and Lambda permissions but gives them no
# physical id; local/serve.py serves the API itself.
NOT_MODELLED = frozenset(
    {
        "AWS::SQS::QueuePolicy",
        "AWS::SES::ConfigurationSetEventDestination",
        "AWS::Serverless::LayerVersion",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Deployment",
        "AWS::Lambda::Permission",
    }
)


def _evaluate_conditions(template: Mapping[str, Any], parameters: Mapping[str, str]) -> set[str]:
    """Names of the template's conditions that hold (Equals/Not/And/Or over parameter Refs)."""
    conditions = template.get("Conditions", {})

    def value(node: Any) -> Any:
        if isinstance(node, dict) and "Ref" in node:
            return parameters.get(node["Ref"], "")
        if isinstance(node, dict) and "Condition" in node:
            return holds(node["Condition"])
        if isinstance(node, dict):
            ((fn, args),) = node.items()
            if fn == "Fn::Equals":
                return str(value(args[0])) == str(value(args[1]))
            if fn == "Fn::Not":
                return not value(args[0])
            if fn == "Fn::And":
                return all(value(a) for a in args)
            if fn == "Fn::Or":
                return any(value(a) for a in args)
        return node

    def holds(name: str) -> bool:
        return bool(value(conditions[name]))

    return {name for name in conditions if holds(name)}


def _quiet_moto_docker_probe() -> None:
    """moto looks for its own Docker host the first time a Kinesis record would trigger a Lambda
    (which it cannot run here: handlers run in-process) and *prints* two lines when the Docker API
    does not answer. Ask once, with its output discarded; moto caches the answer."""
    import contextlib

    from moto import settings

    with contextlib.redirect_stdout(io.StringIO()):
        settings.moto_server_host()


@dataclass
class LocalStack:
    """A running moto server holding every resource of ``template.yaml``."""

    template_path: Path = TEMPLATE_PATH
    parameters: dict[str, str] = field(default_factory=dict)
    port: int = 0  # 0: any free port; `make stack` uses a fixed one (local/stack_serve.py)
    endpoint_url: str = ""
    resources: dict[str, str] = field(default_factory=dict)  # logical id -> physical id
    outputs: dict[str, str] = field(default_factory=dict)
    _server: Any = None
    _parameter_defaults: dict[str, str] = field(default_factory=dict)
    _translated: dict[str, Any] = field(default_factory=dict)
    true_conditions: set[str] = field(default_factory=set)
    _saved_env: dict[str, str | None] = field(default_factory=dict)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> LocalStack:
        import logging
        import warnings

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # moto logs every type its CloudFormation skips (handled in _create_unsupported) and,
        # having no Docker, every Kinesis-triggered Lambda it cannot run (we invoke in-process).
        logging.getLogger("moto").setLevel(logging.CRITICAL)
        warnings.filterwarnings("ignore", message="Tried to parse .* not supported by moto")
        _quiet_moto_docker_probe()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self._set_env({**_FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint_url})
        self.deploy()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _set_env(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    # -- deployment ------------------------------------------------------------------------
    def deploy(self) -> None:
        """Translate template.yaml and create it as a CloudFormation stack in moto."""
        import boto3

        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=ARTIFACT_BUCKET)
        s3.put_object(Bucket=ARTIFACT_BUCKET, Key="placeholder.zip", Body=_placeholder_zip())

        packaged = package(load_template(self.template_path), ARTIFACT_BUCKET, "placeholder.zip")
        translated = translate(packaged, self.parameters)

        cfn = boto3.client("cloudformation", region_name=REGION)
        cfn.create_stack(
            StackName=STACK_NAME,
            TemplateBody=json.dumps(translated),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in self.parameters.items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        stack = cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise RuntimeError(
                f"local stack failed: {stack['StackStatus']} {stack.get('StackStatusReason', '')}"
            )
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        paginator = cfn.get_paginator("list_stack_resources")
        for page in paginator.paginate(StackName=STACK_NAME):
            for res in page["StackResourceSummaries"]:
                if res.get("LogicalResourceId"):
                    self.resources[res["LogicalResourceId"]] = res.get("PhysicalResourceId", "")
        self._translated = translated
        self._parameter_defaults = {
            name: str(spec.get("Default", "")) for name, spec in translated.get("Parameters", {}).items()
        }
        self.true_conditions = _evaluate_conditions(
            translated, {**self._parameter_defaults, **self.parameters}
        )
        self._create_unsupported(translated["Resources"])

    def _create_unsupported(self, resources: Mapping[str, Any]) -> None:
        """Create, through the service APIs, the types moto's CloudFormation skips.

        Types in ``NOT_MODELLED`` only grant permissions or wire AWS-side delivery (queue
        policies, SES event destinations); nothing local depends on them, and cfn-lint and
        ``sam validate --lint`` check them.
        """
        import secrets

        import boto3

        for logical_id, resource in resources.items():
            if self.resources.get(logical_id) or not self.condition_holds(resource):
                continue
            kind, props = resource["Type"], resource.get("Properties", {})
            if kind == "AWS::SecretsManager::Secret":
                self.resources[logical_id] = boto3.client("secretsmanager", region_name=REGION).create_secret(
                    Name=f"{STACK_NAME}-{logical_id}", SecretString=secrets.token_urlsafe(36)
                )["ARN"]
            elif kind == "AWS::SES::ConfigurationSet":
                name = self._resolve(props.get("Name")) or f"{STACK_NAME}-{logical_id}"
                boto3.client("sesv2", region_name=REGION).create_configuration_set(ConfigurationSetName=name)
                self.resources[logical_id] = name
            elif kind == "AWS::Scheduler::ScheduleGroup":  # campaigns' schedules
                name = props.get("Name")
                if isinstance(name, dict) and isinstance(name.get("Fn::Sub"), str):  # ${Param} only
                    name = re.sub(
                        r"\$\{(\w+)\}", lambda m: str(self._resolve({"Ref": m[1]})), name["Fn::Sub"]
                    )
                name = name or f"{STACK_NAME}-{logical_id}"
                boto3.client("scheduler", region_name=REGION).create_schedule_group(Name=name)
                self.resources[logical_id] = name
        from local import cfn_extras  # Glue, Athena, Firehose, alarms, bucket policies, log streams

        cfn_extras.create(self, resources, region=REGION, account=ACCOUNT_ID, stack_name=STACK_NAME)

    def _resolve(self, value: Any) -> Any:
        """Resolve a plain value or a ``Ref`` to a parameter or resource (all the fallbacks need)."""
        if isinstance(value, dict) and set(value) == {"Ref"}:
            name = value["Ref"]
            if name in self.resources:
                return self.resources[name]
            return self.parameters.get(name, self._parameter_defaults.get(name))
        return value

    def condition_holds(self, resource: Mapping[str, Any]) -> bool:
        """moto evaluated the template's conditions: a conditional resource it created has an id."""
        return "Condition" not in resource or resource["Condition"] in self.true_conditions

    # -- lookups ---------------------------------------------------------------------------
    def client_environment(self) -> dict[str, str]:
        """What an AWS SDK in another process needs to reach this stack (credentials are fake)."""
        return {**_FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint_url}

    def physical_id(self, logical_id: str) -> str:
        try:
            return self.resources[logical_id]
        except KeyError:
            raise KeyError(f"{logical_id} is not a resource of {self.template_path.name}") from None

    def function_environment(self, logical_id: str) -> dict[str, str]:
        """The environment a deployed function would see, resolved by CloudFormation.

        A ``!Ref`` to a resource moto's CloudFormation skipped (created afterwards by
        ``_create_unsupported``) resolves to nothing in moto: fill it in from our own ids.
        """
        import boto3

        config = boto3.client("lambda", region_name=REGION).get_function_configuration(
            FunctionName=self.physical_id(logical_id)
        )
        env = {k: str(v) for k, v in config.get("Environment", {}).get("Variables", {}).items()}
        declared = self._translated["Resources"][logical_id]["Properties"].get("Environment", {})
        for name, value in declared.get("Variables", {}).items():
            if not env.get(name) and isinstance(value, dict) and self.resources.get(value.get("Ref", "")):
                env[name] = self.resources[value["Ref"]]
        if "AWS_ENDPOINT_URL" in env:  # declared empty so `sam local invoke --env-vars` may set it
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        return env


@contextmanager
def running_stack(parameters: Mapping[str, str] | None = None) -> Iterator[LocalStack]:
    """Start the local stack for the duration of a ``with`` block."""
    stack = LocalStack(parameters=dict(parameters or {}))
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
