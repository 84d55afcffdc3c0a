"""What each function's role may do, read from the SAM output of template.yaml (offline).

moto does not enforce IAM, so nothing local fails when a policy lacks an action the code calls, or
grants one it never calls. ``role_grants`` lists every Allow statement a role gets (its inline
policies, the customer-managed policies it references, the ``AWS::IAM::Policy`` resources naming it)
with the condition the granting policy is under; tests compare them with the calls handlers make.
"""

from __future__ import annotations

import os
from typing import Any

from local.stack import REGION, load_template, package


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def translated_template(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """template.yaml after the SAM transform (default parameters; no AWS call)."""
    from samtranslator.translator.transform import transform

    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = saved or REGION
    try:
        return transform(package(template or load_template(), "bucket", "key"), {}, _NoManagedPolicies())
    finally:
        if saved is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)


def listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_grants(translated: dict[str, Any]) -> dict[str, list[tuple[dict[str, Any], str | None]]]:
    """Role logical id -> its Allow statements, each with its policy's condition (or None)."""
    resources = translated["Resources"]
    grants: dict[str, list[tuple[dict[str, Any], str | None]]] = {}
    for role_id, role in resources.items():
        if role["Type"] != "AWS::IAM::Role":
            continue
        documents = [(p["PolicyDocument"], None) for p in role["Properties"].get("Policies", [])]
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            if isinstance(arn, dict) and "Ref" in arn:
                managed = resources[arn["Ref"]]
                documents.append((managed["Properties"]["PolicyDocument"], managed.get("Condition")))
        for policy in resources.values():
            if policy["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in policy["Properties"]["Roles"]:
                documents.append((policy["Properties"]["PolicyDocument"], policy.get("Condition")))
        grants[role_id] = [
            (statement, condition)
            for document, condition in documents
            for statement in listify(document["Statement"])
            if statement["Effect"] == "Allow"
        ]
    return grants


def allowed_actions(translated: dict[str, Any], role_id: str, resource_logical_id: str) -> set[str]:
    """Actions (lower case) the role may take on a resource of the template, named by logical id."""
    actions: set[str] = set()
    for statement, _ in role_grants(translated)[role_id]:
        if resource_logical_id in str(statement.get("Resource")):
            actions.update(a.lower() for a in listify(statement.get("Action", [])))
    return actions
