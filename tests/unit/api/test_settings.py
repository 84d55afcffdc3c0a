"""ApiSettings: each feature's own settings class, switched on by its table, from the same environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engagement.api.settings import ApiSettings

BASE = {"ENDPOINT_STORE": "dynamodb://endpoints", "TEMPLATE_STORE": "s3://bucket/templates"}


def test_campaigns_and_journeys_are_off_without_their_tables():
    settings = ApiSettings.from_env(
        {**BASE, "CAMPAIGN_SCHEDULE_GROUP": "g", "JOURNEY_ACTIVITY_FUNCTION_ARN": "a"}
    )
    assert settings.campaigns is None and settings.journeys is None


def test_a_table_switches_its_feature_on_with_the_features_own_settings():
    settings = ApiSettings.from_env(
        {
            **BASE,
            "SEGMENT_STORE": "dynamodb://segments",
            "CAMPAIGNS_TABLE": "campaigns",
            "CAMPAIGN_SCHEDULE_GROUP": "group",
            "JOURNEYS_TABLE": "journeys",
            "JOURNEY_STATE_MACHINE_ROLE_ARN": "arn:aws:iam::123456789012:role/r",
        }
    )
    assert settings.campaigns is not None and settings.journeys is not None
    assert (settings.campaigns.campaigns_table, settings.campaigns.schedule_group) == ("campaigns", "group")
    assert settings.campaigns.template_store == BASE["TEMPLATE_STORE"]  # shared variables are read once
    assert settings.journeys.segment_store == settings.campaigns.segment_store == "dynamodb://segments"
    assert settings.journeys.state_machine_role_arn.endswith(":role/r")


def test_a_malformed_feature_setting_fails_the_cold_start_naming_it():
    with pytest.raises(ValidationError, match="CAMPAIGN_MAX_CONCURRENCY"):
        ApiSettings.from_env({**BASE, "CAMPAIGNS_TABLE": "c", "CAMPAIGN_MAX_CONCURRENCY": "0"})
