"""The evaluator, dimension by dimension: Pinpoint's semantics and our documented choices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engagement.segments import SourceSegmentError, compile_segment, matches

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def dims(**dimensions):
    return {"Name": "s", "Dimensions": dimensions}


def attr(kind, *values, name="plan"):
    return dims(Attributes={name: {"AttributeType": kind, "Values": list(values)}})


def user_attr(kind, *values, name="tier"):
    return dims(UserAttributes={name: {"AttributeType": kind, "Values": list(values)}})


def endpoint(**fields):
    return {"Id": "ep-1", "ChannelType": "EMAIL", "Address": "a@example.com", **fields}


def with_attr(*values, name="plan"):
    return endpoint(Attributes={name: list(values)})


def check(definition, ep, **kw):
    return matches(definition, ep, now=NOW, **kw)


# ---------------------------------------------------------------- Attributes
@pytest.mark.parametrize(
    ("kind", "values", "have", "expected"),
    [
        ("INCLUSIVE", ["pro", "team"], ["team"], True),
        ("INCLUSIVE", ["pro"], ["free"], False),
        ("INCLUSIVE", ["pro"], ["free", "pro"], True),  # any of the endpoint's values
        ("EXCLUSIVE", ["free"], ["pro"], True),
        ("EXCLUSIVE", ["free"], ["pro", "free"], False),
        ("EXCLUSIVE", ["free", "trial"], ["trial"], False),
        ("CONTAINS", ["ro"], ["pro"], True),
        ("CONTAINS", ["xyz", "fre"], ["free"], True),
        ("CONTAINS", ["team"], ["pro"], False),
    ],
)
def test_attribute_set_operators(kind, values, have, expected):
    assert check(attr(kind, *values), with_attr(*have)) is expected


@pytest.mark.parametrize(
    ("kind", "values", "have", "expected"),
    [
        ("BEFORE", ["2026-01-01T00:00:00Z"], "2025-12-31T23:59:59Z", True),
        ("BEFORE", ["2026-01-01T00:00:00Z"], "2026-01-01T00:00:00Z", False),  # strictly before
        ("AFTER", ["2026-01-01T00:00:00Z"], "2026-03-01T00:00:00Z", True),
        ("AFTER", ["2026-01-01T00:00:00Z"], "2025-03-01T00:00:00Z", False),
        ("ON", ["2026-03-01T00:00:00Z"], "2026-03-01T23:10:00Z", True),  # time of day ignored
        ("ON", ["2026-03-01T00:00:00Z"], "2026-03-02T00:00:00Z", False),
        ("BETWEEN", ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"], "2026-01-15T00:00:00Z", True),
        ("BETWEEN", ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"], "2026-02-01T00:00:00Z", True),
        ("BETWEEN", ["2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"], "2026-01-15T00:00:00Z", True),
        ("BETWEEN", ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"], "2026-02-01T00:00:01Z", False),
    ],
)
def test_attribute_date_operators(kind, values, have, expected):
    assert check(attr(kind, *values, name="signup"), with_attr(have, name="signup")) is expected


def test_values_of_one_dimension_are_ored_and_dimensions_anded():
    definition = dims(
        Attributes={
            "plan": {"AttributeType": "INCLUSIVE", "Values": ["pro", "team"]},
            "country": {"AttributeType": "INCLUSIVE", "Values": ["PT"]},
        }
    )
    assert check(definition, endpoint(Attributes={"plan": ["team"], "country": ["PT"]}))
    assert not check(definition, endpoint(Attributes={"plan": ["team"], "country": ["ES"]}))


# ---------------------------------------------------------------- choices where Pinpoint is silent
def test_attribute_values_are_case_sensitive():
    assert not check(attr("INCLUSIVE", "Pro"), with_attr("pro"))
    assert not check(attr("CONTAINS", "PRO"), with_attr("pro"))
    assert check(attr("EXCLUSIVE", "Free"), with_attr("free"))


def test_missing_attribute_fails_inclusive_and_date_operators_but_passes_exclusive():
    ep = endpoint()
    for kind, values in [("INCLUSIVE", ["x"]), ("CONTAINS", ["x"]), ("BEFORE", ["2030-01-01"])]:
        assert not check(attr(kind, *values), ep), kind
    assert check(attr("EXCLUSIVE", "x"), ep)
    assert check(attr("EXCLUSIVE", "x"), endpoint(Attributes={"plan": []}))


def test_dates_without_offset_are_utc_and_offsets_are_honoured():
    after = attr("AFTER", "2026-01-01T00:00:00Z", name="d")
    # 2026-01-01T01:00:00+02:00 is 2025-12-31T23:00Z: before the bound despite the local date.
    assert not check(after, with_attr("2026-01-01T01:00:00+02:00", name="d"))
    assert check(after, with_attr("2026-01-01T01:00:00", name="d"))  # naive = UTC
    on = attr("ON", "2026-01-01", name="d")
    assert not check(on, with_attr("2026-01-01T01:00:00+02:00", name="d"))  # UTC calendar date


def test_unparseable_endpoint_dates_never_match():
    assert not check(attr("BEFORE", "2030-01-01", name="d"), with_attr("yesterday", name="d"))


def test_naive_now_is_utc():
    definition = dims(Behavior={"Recency": {"Duration": "HR_24", "RecencyType": "ACTIVE"}})
    ep = endpoint(EffectiveDate="2026-12-01T00:30:00Z")
    assert matches(definition, ep, now=datetime(2026, 12, 1, 12, 0))
    assert not matches(definition, ep, now=datetime(2026, 12, 2, 12, 0))


# ---------------------------------------------------------------- UserAttributes, user-level
def test_user_attributes_every_operator():
    ep = endpoint(User={"UserId": "u1", "UserAttributes": {"tier": ["gold"], "since": ["2024-05-01"]}})
    assert check(user_attr("INCLUSIVE", "gold"), ep)
    assert not check(user_attr("EXCLUSIVE", "gold"), ep)
    assert check(user_attr("CONTAINS", "ol"), ep)
    assert check(user_attr("BEFORE", "2025-01-01", name="since"), ep)
    assert not check(user_attr("AFTER", "2025-01-01", name="since"), ep)
    assert check(user_attr("ON", "2024-05-01T18:00:00Z", name="since"), ep)
    assert check(user_attr("BETWEEN", "2024-01-01", "2024-12-31", name="since"), ep)


def test_user_attributes_are_not_endpoint_attributes():
    assert not check(user_attr("INCLUSIVE", "gold"), endpoint(Attributes={"tier": ["gold"]}))
    assert not check(
        attr("INCLUSIVE", "gold", name="tier"), endpoint(User={"UserAttributes": {"tier": ["gold"]}})
    )


def test_every_endpoint_of_a_user_shares_the_user_attribute_result():
    user = {"UserId": "u1", "UserAttributes": {"tier": ["gold"]}}
    email = endpoint(Id="e", User=user)
    sms = endpoint(Id="s", ChannelType="SMS", Address="+351910000000", User=user)
    assert check(user_attr("INCLUSIVE", "gold"), email) and check(user_attr("INCLUSIVE", "gold"), sms)


def test_compiled_segment_says_whether_it_needs_user_attributes():
    assert compile_segment(user_attr("INCLUSIVE", "gold")).uses_user_attributes
    assert not compile_segment(attr("INCLUSIVE", "gold")).uses_user_attributes


# ---------------------------------------------------------------- Behavior.Recency
@pytest.mark.parametrize(
    ("duration", "age", "active"),
    [
        ("HR_24", timedelta(hours=23), True),
        ("HR_24", timedelta(hours=25), False),
        ("DAY_7", timedelta(days=6), True),
        ("DAY_7", timedelta(days=8), False),
        ("DAY_14", timedelta(days=13), True),
        ("DAY_14", timedelta(days=15), False),
        ("DAY_30", timedelta(days=29), True),
        ("DAY_30", timedelta(days=31), False),
    ],
)
def test_recency_active_and_inactive(duration, age, active):
    ep = endpoint(EffectiveDate=(NOW - age).isoformat().replace("+00:00", "Z"))
    for kind, expected in (("ACTIVE", active), ("INACTIVE", not active)):
        definition = dims(Behavior={"Recency": {"Duration": duration, "RecencyType": kind}})
        assert check(definition, ep) is expected


def test_recency_without_effective_date_is_inactive():
    ep = endpoint()
    assert not check(dims(Behavior={"Recency": {"Duration": "DAY_7", "RecencyType": "ACTIVE"}}), ep)
    assert check(dims(Behavior={"Recency": {"Duration": "DAY_7", "RecencyType": "INACTIVE"}}), ep)


# ---------------------------------------------------------------- Demographic
@pytest.mark.parametrize(
    ("name", "ep", "value", "other"),
    [
        ("Platform", endpoint(Demographic={"Platform": "Android"}), "android", "ios"),
        ("Make", endpoint(Demographic={"Make": "Samsung"}), "SAMSUNG", "apple"),
        ("Model", endpoint(Demographic={"Model": "Pixel 9"}), "pixel 9", "iPhone"),
        ("AppVersion", endpoint(Demographic={"AppVersion": "2.1.0"}), "2.1.0", "2.0.0"),
        ("Channel", endpoint(ChannelType="SMS"), "sms", "EMAIL"),
        ("DeviceType", endpoint(Attributes={"DeviceType": ["TABLET"]}), "tablet", "PHONE"),
    ],
)
def test_demographic_inclusive_and_exclusive(name, ep, value, other):
    def seg(kind, *values):
        return dims(Demographic={name: {"DimensionType": kind, "Values": list(values)}})

    assert check(seg("INCLUSIVE", other, value), ep)
    assert not check(seg("INCLUSIVE", other), ep)
    assert not check(seg("EXCLUSIVE", value), ep)
    assert check(seg("EXCLUSIVE", other), ep)
    assert check(dims(Demographic={name: {"Values": [value]}}), ep)  # DimensionType defaults to INCLUSIVE


def test_app_version_is_case_sensitive_and_missing_demographics_only_match_exclusive():
    app_version = {"AppVersion": {"DimensionType": "INCLUSIVE", "Values": ["2.1.0-RC"]}}
    assert not check(dims(Demographic=app_version), endpoint(Demographic={"AppVersion": "2.1.0-rc"}))
    platform = {"DimensionType": "EXCLUSIVE", "Values": ["ios"]}
    assert check(dims(Demographic={"Platform": platform}), endpoint())
    assert not check(dims(Demographic={"Platform": {**platform, "DimensionType": "INCLUSIVE"}}), endpoint())


# ---------------------------------------------------------------- Location
def test_country_inclusive_exclusive_case_insensitive():
    ep = endpoint(Location={"Country": "pt"})
    assert check(dims(Location={"Country": {"DimensionType": "INCLUSIVE", "Values": ["PT", "ES"]}}), ep)
    assert not check(dims(Location={"Country": {"DimensionType": "EXCLUSIVE", "Values": ["PT"]}}), ep)
    assert check(dims(Location={"Country": {"DimensionType": "EXCLUSIVE", "Values": ["ES"]}}), ep)
    assert not check(dims(Location={"Country": {"Values": ["PT"]}}), endpoint())


def test_gps_point_range():
    lisbon = {"Latitude": 38.7223, "Longitude": -9.1393}
    near = {"GPSPoint": {"Coordinates": lisbon, "RangeInKilometers": 30}}
    sintra = endpoint(Location={"Latitude": 38.8029, "Longitude": -9.3817})  # ~23 km
    porto = endpoint(Location={"Latitude": 41.1579, "Longitude": -8.6291})  # ~274 km
    assert check(dims(Location=near), sintra)
    assert not check(dims(Location=near), porto)
    wide = {"GPSPoint": {"Coordinates": lisbon, "RangeInKilometers": 300}}
    assert check(dims(Location=wide), porto)
    assert not check(dims(Location=near), endpoint(Location={"Country": "PT"}))  # no coordinates


def test_gps_point_default_range_is_100_km():
    lisbon = {"Latitude": 38.7223, "Longitude": -9.1393}
    definition = dims(Location={"GPSPoint": {"Coordinates": lisbon}})
    assert check(
        definition, endpoint(Location={"Latitude": 39.2367, "Longitude": -8.6850})
    )  # Santarém ~70 km
    assert not check(
        definition, endpoint(Location={"Latitude": 40.2033, "Longitude": -8.4103})
    )  # Coimbra ~175


# ---------------------------------------------------------------- Metrics
@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("GREATER_THAN", 2, True),
        ("GREATER_THAN", 3, False),
        ("GREATER_THAN_OR_EQUAL", 3, True),
        ("GREATER_THAN_OR_EQUAL", 3.5, False),
        ("LESS_THAN", 4, True),
        ("LESS_THAN", 3, False),
        ("LESS_THAN_OR_EQUAL", 3, True),
        ("LESS_THAN_OR_EQUAL", 2.9, False),
        ("EQUAL", 3, True),
        ("EQUAL", 3.01, False),
    ],
)
def test_metric_operators(operator, value, expected):
    definition = dims(Metrics={"purchases": {"ComparisonOperator": operator, "Value": value}})
    assert check(definition, endpoint(Metrics={"purchases": 3.0})) is expected


def test_missing_metric_never_matches():
    definition = dims(Metrics={"purchases": {"ComparisonOperator": "LESS_THAN", "Value": 1}})
    assert not check(definition, endpoint())


# ---------------------------------------------------------------- groups and sources
PRO = {"Attributes": {"plan": {"AttributeType": "INCLUSIVE", "Values": ["pro"]}}}
PT = {"Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["PT"]}}}


def grouped(include="ALL", *groups):
    return {"Name": "g", "SegmentGroups": {"Include": include, "Groups": list(groups)}}


@pytest.mark.parametrize(
    ("kind", "ep_fields", "expected"),
    [
        ("ALL", {"Attributes": {"plan": ["pro"]}, "Location": {"Country": "PT"}}, True),
        ("ALL", {"Attributes": {"plan": ["pro"]}}, False),
        ("ANY", {"Attributes": {"plan": ["pro"]}}, True),
        ("ANY", {}, False),
        ("NONE", {}, True),
        ("NONE", {"Location": {"Country": "PT"}}, False),
    ],
)
def test_group_type_combines_dimensions(kind, ep_fields, expected):
    definition = grouped("ALL", {"Type": kind, "Dimensions": [PRO, PT]})
    assert check(definition, endpoint(**ep_fields)) is expected


@pytest.mark.parametrize(
    ("include", "ep_fields", "expected"),
    [
        ("ALL", {"Attributes": {"plan": ["pro"]}}, False),
        ("ALL", {"Attributes": {"plan": ["pro"]}, "Location": {"Country": "PT"}}, True),
        ("ANY", {"Attributes": {"plan": ["pro"]}}, True),
        ("ANY", {}, False),
        ("NONE", {}, True),
        ("NONE", {"Attributes": {"plan": ["pro"]}}, False),
    ],
)
def test_include_combines_groups(include, ep_fields, expected):
    definition = grouped(include, {"Dimensions": [PRO]}, {"Dimensions": [PT]})
    assert check(definition, endpoint(**ep_fields)) is expected


def test_simple_dimensions_and_groups_are_anded():
    definition = {**grouped("ALL", {"Dimensions": [PT]}), "Dimensions": PRO}
    assert not check(definition, endpoint(Location={"Country": "PT"}))
    assert check(definition, endpoint(Location={"Country": "PT"}, Attributes={"plan": ["pro"]}))


def test_empty_definition_is_every_endpoint():
    assert check({"Name": "all"}, endpoint())
    assert check(grouped("ALL", {"Type": "ALL", "Dimensions": []}), endpoint())


def test_imported_source_segment_by_endpoint_id_case_insensitively():
    definition = grouped("ALL", {"SourceSegments": [{"Id": "vips"}], "Dimensions": [PT]})
    sources = {"vips": ["EP-1", "ep-9"]}
    assert check(definition, endpoint(Location={"Country": "PT"}), source_segments=sources)
    assert not check(definition, endpoint(Id="ep-2", Location={"Country": "PT"}), source_segments=sources)


def test_dynamic_source_segment_is_evaluated_recursively():
    inner = {"Name": "pros", "Dimensions": PRO}
    outer = grouped("ALL", {"SourceSegments": [{"Id": "pros", "Version": 1}], "Dimensions": [PT]})
    sources = {"pros": inner}
    assert check(
        outer, endpoint(Location={"Country": "PT"}, Attributes={"plan": ["pro"]}), source_segments=sources
    )
    assert not check(outer, endpoint(Location={"Country": "PT"}), source_segments=sources)


@pytest.mark.parametrize(
    ("source_type", "in_a", "in_b", "expected"),
    [
        ("ANY", True, False, True),
        ("ANY", False, False, False),
        ("ALL", True, False, False),
        ("ALL", True, True, True),
        ("NONE", False, False, True),
        ("NONE", False, True, False),
        (None, True, False, True),  # default: ANY
    ],
)
def test_source_type_combines_base_segments(source_type, in_a, in_b, expected):
    group = {"SourceSegments": [{"Id": "a"}, {"Id": "b"}]}
    if source_type:
        group["SourceType"] = source_type
    sources = {"a": ["ep-1"] if in_a else [], "b": ["ep-1"] if in_b else []}
    assert check(grouped("ALL", group), endpoint(), source_segments=sources) is expected


def test_import_segment_response_is_its_own_members():
    response = {"Id": "imp", "SegmentType": "IMPORT", "Name": "vips"}
    assert check(response, endpoint(), source_segments={"imp": {"ep-1"}})
    assert not check(response, endpoint(Id="ep-2"), source_segments={"imp": {"ep-1"}})


def test_missing_and_cyclic_sources_are_errors():
    with pytest.raises(SourceSegmentError, match="not found"):
        compile_segment(grouped("ALL", {"SourceSegments": [{"Id": "gone"}]}))
    a = grouped("ALL", {"SourceSegments": [{"Id": "b"}]})
    b = grouped("ALL", {"SourceSegments": [{"Id": "a"}]})
    with pytest.raises(SourceSegmentError, match="cycle"):
        compile_segment(a, source_segments={"a": a, "b": b})


def test_matches_sees_a_new_definition_object():
    ep = with_attr("pro")
    assert check(attr("INCLUSIVE", "pro"), ep)
    assert not check(attr("INCLUSIVE", "team"), ep)


def test_recency_boundary_in_the_registry_date_format_is_inclusive_to_the_millisecond():
    active = dims(Behavior={"Recency": {"Duration": "DAY_7", "RecencyType": "ACTIVE"}})
    now = datetime(2026, 12, 1, 12, 0, 0, 250_400, tzinfo=UTC)  # sub-millisecond "now"
    edge = now - timedelta(days=7)

    def at(moment):
        return endpoint(
            EffectiveDate=moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        )

    assert not matches(active, at(edge), now=now)  # .250 is before .2504
    assert matches(active, at(edge + timedelta(milliseconds=1)), now=now)
    assert matches(active, endpoint(EffectiveDate=edge.isoformat()), now=now)  # other forms: parsed exactly


def test_string_fast_path_agrees_with_parsing():
    import random

    from engagement.segments.dimensions import canonical_millis, parse_instant

    rng = random.Random(3)
    for _ in range(2000):
        instant = rng.uniform(0, 4e9)
        value = canonical_millis(rng.uniform(0, 4e9))
        assert (value >= canonical_millis(instant)) == (parse_instant(value) >= instant), (value, instant)


def test_defaults_include_all_groups_and_all_dimensions():
    definition = {"SegmentGroups": {"Groups": [{"Dimensions": [PRO, PT]}, {"Dimensions": [PRO]}]}}
    assert check(definition, endpoint(Attributes={"plan": ["pro"]}, Location={"Country": "PT"}))
    assert not check(definition, endpoint(Attributes={"plan": ["pro"]}))


def test_membership_ignores_endpoint_status_and_opt_out():
    """Segments say who matches; campaigns and journeys skip INACTIVE and opted-out endpoints."""
    ep = endpoint(EndpointStatus="INACTIVE", OptOut="ALL", Attributes={"plan": ["pro"]})
    assert check({"Dimensions": PRO}, ep)


# ---------------------------------------------------------------- docs/segments.md worked examples
ANA = {
    "Id": "ana-sms",
    "ChannelType": "SMS",
    "EffectiveDate": "2026-11-20T09:00:00.000Z",
    "Attributes": {"Plan": ["trial"], "signup_date": ["2026-03-01T10:00:00Z"], "DeviceType": ["PHONE"]},
    "Demographic": {"Platform": "Android", "Make": "Samsung", "Model": "S24", "AppVersion": "3.2.0"},
    "Location": {"Country": "PT", "Latitude": 38.7223, "Longitude": -9.1393},
    "Metrics": {"lifetime_value": 120.0},
    "User": {"UserId": "user-ana", "UserAttributes": {"FirstName": ["Ana"], "tier": ["gold"]}},
}
DOC_NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _a(name, kind, *values):
    return {"Attributes": {name: {"AttributeType": kind, "Values": list(values)}}}


@pytest.mark.parametrize(
    ("dimensions", "expected"),
    [
        (_a("Plan", "INCLUSIVE", "pro", "trial"), True),
        (_a("Plan", "EXCLUSIVE", "trial"), False),
        (_a("Plan", "CONTAINS", "ria"), True),
        (_a("signup_date", "AFTER", "2026-01-01T00:00:00Z"), True),
        (_a("signup_date", "ON", "2026-03-01T00:00:00Z"), True),
        (_a("signup_date", "BETWEEN", "2026-01-01", "2026-06-30"), True),
        ({"UserAttributes": {"tier": {"AttributeType": "INCLUSIVE", "Values": ["gold"]}}}, True),
        ({"Behavior": {"Recency": {"Duration": "DAY_30", "RecencyType": "ACTIVE"}}}, True),
        ({"Behavior": {"Recency": {"Duration": "DAY_7", "RecencyType": "ACTIVE"}}}, False),
        ({"Behavior": {"Recency": {"Duration": "DAY_7", "RecencyType": "INACTIVE"}}}, True),
        (
            {
                "Demographic": {
                    "Platform": {"DimensionType": "INCLUSIVE", "Values": ["android"]},
                    "Make": {"DimensionType": "EXCLUSIVE", "Values": ["apple"]},
                }
            },
            True,
        ),
        ({"Demographic": {"Channel": {"Values": ["SMS", "EMAIL"]}}}, True),
        ({"Demographic": {"DeviceType": {"Values": ["PHONE"]}}}, True),
        ({"Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["PT", "ES"]}}}, True),
        (
            {
                "Location": {
                    "GPSPoint": {
                        "Coordinates": {"Latitude": 38.80, "Longitude": -9.38},
                        "RangeInKilometers": 30,
                    }
                }
            },
            True,
        ),
        (
            {"Metrics": {"lifetime_value": {"ComparisonOperator": "GREATER_THAN_OR_EQUAL", "Value": 100}}},
            True,
        ),
    ],
)
def test_docs_worked_examples(dimensions, expected):
    assert matches({"Dimensions": dimensions}, ANA, now=DOC_NOW) is expected


def test_docs_worked_examples_groups_and_sources():
    groups = {
        "Include": "ANY",
        "Groups": [
            {"Dimensions": [_a("Plan", "INCLUSIVE", "pro")]},
            {"Type": "NONE", "Dimensions": [{"Location": {"Country": {"Values": ["US"]}}}]},
        ],
    }
    assert matches({"SegmentGroups": groups}, ANA, now=DOC_NOW)
    sourced = {
        "Groups": [
            {
                "SourceSegments": [{"Id": "vips"}],
                "Dimensions": [{"Location": {"Country": {"Values": ["PT"]}}}],
            }
        ]
    }
    assert matches({"SegmentGroups": sourced}, ANA, now=DOC_NOW, source_segments={"vips": {"ana-sms"}})
    assert not matches({"SegmentGroups": sourced}, ANA, now=DOC_NOW, source_segments={"vips": {"mary-sms"}})


def test_unvalidated_definitions_fail_safe_or_loudly():
    assert not check(attr("BEFORE", "not a date", name="d"), with_attr("2020-01-01", name="d"))
    with pytest.raises(ValueError, match="'XOR' is not one of ALL, ANY, NONE"):
        compile_segment(grouped("ALL", {"Type": "XOR", "Dimensions": [PRO]}))
