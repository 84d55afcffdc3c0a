"""Exactly once under store and provider faults: the lock is claimed before the registry, kept
past the invocation, completed inside the deadline; provider calls are bounded by it."""

from __future__ import annotations

import threading
import time

from botocore.exceptions import ReadTimeoutError
from channel_fakes import FakeRegistry, RecordingClient, batch, client_error, endpoint, make_channel

from engagement.channel.memory import InMemoryPersistenceLayer
from engagement.channel.once import SendOnce
from engagement.channel.outcome import DeliveryStatus
from engagement.models.custom_channel import CustomChannelEvent

PLENTY = lambda: 14_000  # noqa: E731


def deliver(channel, raw, remaining=PLENTY):
    return channel.deliver(CustomChannelEvent.model_validate(raw), remaining)


class FlakyStore(InMemoryPersistenceLayer):
    """Fails the next N completion writes / claims, or applies a claim and then "loses" its answer."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_updates = 0
        self.fail_puts_after_effect = 0
        self.retry_puts_after_effect = 0
        self.fail_puts_before_effect = 0
        self.updates = 0

    def _update_record(self, data_record) -> None:
        self.updates += 1
        if self.fail_updates:
            self.fail_updates -= 1
            raise client_error("InternalServerError", 500)
        super()._update_record(data_record)

    def _put_record(self, data_record) -> None:
        if self.fail_puts_before_effect and not self.fail_puts_after_effect:
            self.fail_puts_before_effect -= 1
            raise client_error("InternalServerError", 500)
        super()._put_record(data_record)
        if self.retry_puts_after_effect:  # botocore resends a put whose answer was lost
            self.retry_puts_after_effect -= 1
            super()._put_record(data_record)
        if self.fail_puts_after_effect:
            self.fail_puts_after_effect -= 1
            raise client_error("InternalServerError", 500)  # written, but the answer was lost


def flaky_channel(**overrides):
    store = FlakyStore()
    once = SendOnce(store, sleep=lambda _: None)
    channel, fakes = make_channel(once=once, **overrides)
    return channel, fakes, store


RAW = batch({"e1": endpoint("EMAIL", "a@example.com"), "e2": endpoint("EMAIL", "b@example.com")})


def test_a_failed_completion_write_is_retried_and_the_rerun_reports_duplicates():
    channel, fakes, store = flaky_channel()
    store.fail_updates = 2
    assert {o.status for o in deliver(channel, RAW).values()} == {DeliveryStatus.SUCCESSFUL}
    rerun = deliver(channel, RAW)
    assert {o.status for o in rerun.values()} == {DeliveryStatus.DUPLICATE}
    assert len(fakes["ses"].calls) == 2


def test_completion_failing_for_good_keeps_the_lock_so_a_rerun_never_sends_again():
    """The issue's reproduction: one failed completion write used to mean two emails."""
    channel, fakes, store = flaky_channel()
    store.fail_updates = 10_000
    first = deliver(channel, RAW)
    assert {o.status for o in first.values()} == {DeliveryStatus.SUCCESSFUL}  # what is known
    store.fail_updates = 0
    rerun = deliver(channel, RAW)  # Pinpoint re-invokes after the first invocation ended
    assert {(o.status, o.reason) for o in rerun.values()} == {
        (DeliveryStatus.TEMPORARY_FAILURE, "send_in_progress")
    }
    assert len(fakes["ses"].calls) == 2


def test_a_claim_retried_by_botocore_after_it_took_effect_is_still_ours():
    channel, fakes, store = flaky_channel()
    store.retry_puts_after_effect = 2  # each claim's retry finds its own lock
    assert {o.status for o in deliver(channel, RAW).values()} == {DeliveryStatus.SUCCESSFUL}
    assert len(fakes["ses"].calls) == 2


def test_a_claim_answered_with_an_error_is_retried_and_finds_its_own_lock():
    _, _, store = flaky_channel()
    store.fail_puts_after_effect = 1
    once = SendOnce(store, sleep=lambda _: None)
    assert once.claim({"endpoint_id": "e1"}, lambda: 5.0).owned


def test_a_claim_that_may_have_been_written_is_given_back_when_it_cannot_be_confirmed():
    _, _, store = flaky_channel()
    store.fail_puts_after_effect, store.fail_puts_before_effect = 1, 100
    once = SendOnce(store, sleep=lambda _: None)
    claim = once.claim({"endpoint_id": "e1"}, lambda: 5.0)
    assert claim.state == "unavailable" and store.records == {}  # the lock it left was given back
    store.fail_puts_before_effect = 0
    assert once.claim({"endpoint_id": "e1"}, lambda: 5.0).owned


def test_an_already_sent_endpoint_is_a_duplicate_even_when_the_registry_is_down():
    channel, _fakes, _ = flaky_channel()
    deliver(channel, RAW)
    channel.services.registry = FakeRegistry(fail=True)
    assert {o.status for o in deliver(channel, RAW).values()} == {DeliveryStatus.DUPLICATE}


def test_a_registry_read_timeout_is_a_temporary_failure_not_a_crash():
    class TimingOut(FakeRegistry):
        def get_endpoint(self, **_):
            raise ReadTimeoutError(endpoint_url="https://dynamodb")

    channel, fakes, store = flaky_channel(registry=TimingOut())
    outcome = deliver(channel, RAW)["e1"]
    assert (outcome.status, outcome.reason) == (DeliveryStatus.TEMPORARY_FAILURE, "registry_unavailable")
    assert fakes["ses"].calls == [] and store.records == {}  # the lock was given back


def test_the_registry_is_read_once_for_the_whole_batch():
    class Batched(FakeRegistry):
        calls: list = []

        def get_endpoints(self, *, ApplicationId, EndpointIds, UserIds=()):  # noqa: N803
            self.calls.append((sorted(EndpointIds), list(UserIds)))
            return {"EndpointsResponse": {"Item": [{"Id": "E2", "OptOut": "ALL"}]}}

    registry = Batched()
    channel, _fakes, _ = flaky_channel(registry=registry)
    outcomes = deliver(channel, RAW)
    assert registry.calls == [(["e1", "e2"], ["u1"])]
    assert outcomes["e2"].reason == "opted_out_in_registry"  # ids are case-insensitive
    assert outcomes["e1"].status is DeliveryStatus.SUCCESSFUL


def test_keys_dynamodb_would_refuse_are_not_asked_for_so_the_batch_read_still_works():
    class Strict(FakeRegistry):
        asked: list = []

        def get_endpoints(self, *, ApplicationId, EndpointIds, UserIds=()):  # noqa: N803
            if any(len(k.encode()) > 1024 for k in [*EndpointIds, *UserIds]):
                raise client_error("ValidationException")
            self.asked.extend(EndpointIds)
            return {"EndpointsResponse": {"Item": []}}

    long_id = "x" * 2000
    raw = batch(
        {
            long_id: endpoint("EMAIL", "a@example.com"),
            "e2": endpoint("EMAIL", "b@example.com", User={"UserId": "u" * 2000}),
        }
    )
    channel, _, _ = flaky_channel(registry=Strict())
    outcomes = deliver(channel, raw)
    assert {o.status for o in outcomes.values()} == {DeliveryStatus.SUCCESSFUL}
    assert Strict.asked == ["e2"]


def test_a_5xx_from_the_provider_may_have_sent_so_it_is_recorded_and_never_repeated():
    channel, fakes, _ = flaky_channel()
    fakes["ses"].errors.append(client_error("InternalFailure", 500))
    outcome = deliver(channel, batch({"e1": endpoint("EMAIL", "a@example.com")}))["e1"]
    assert (outcome.status, outcome.reason) == (DeliveryStatus.UNKNOWN_FAILURE, "unconfirmed_InternalFailure")
    rerun = deliver(channel, batch({"e1": endpoint("EMAIL", "a@example.com")}))["e1"]
    assert (rerun.status, rerun.reason) == (DeliveryStatus.DUPLICATE, "already_attempted_unconfirmed")
    assert fakes["ses"].calls == []  # the failed call was the only attempt: no automatic resend


class HangingClient(RecordingClient):
    def __init__(self, hang_s: float) -> None:
        super().__init__()
        self.hang_s = hang_s
        self.released = threading.Event()

    def send_email(self, **kwargs):
        self.released.wait(self.hang_s)
        return super().send_email(**kwargs)


def test_a_hanging_provider_call_is_bounded_by_the_time_left():
    from engagement.delivery.email import EmailSender

    ses = HangingClient(hang_s=5)
    channel, _fakes, _ = flaky_channel()
    channel.services.email = EmailSender(ses, "noreply@example.com")
    budget_ms, started = 3_000, time.monotonic()

    def remaining() -> int:
        return int(budget_ms - (time.monotonic() - started) * 1000)

    outcome = deliver(channel, batch({"e1": endpoint("EMAIL", "a@example.com")}), remaining)["e1"]
    left = remaining()
    ses.released.set()
    assert left > 0  # answered before the (simulated) Lambda timeout
    assert (outcome.status, outcome.reason) == (
        DeliveryStatus.UNKNOWN_FAILURE,
        "unconfirmed_deadline_during_send",
    )


def test_nothing_sent_gives_the_lock_back_only_if_it_is_ours():
    store = InMemoryPersistenceLayer()
    once = SendOnce(store)
    mine, theirs = once.claim({"endpoint_id": "e1"}), once.claim({"endpoint_id": "e1"})
    assert mine.owned and theirs.state == "busy"
    assert once.release(theirs, lambda: 5.0) and len(store.records) == 1  # not theirs to free
    assert once.release(mine, lambda: 5.0) and store.records == {}


def test_lock_requests_match_the_dynamodb_model():
    """The deployed clients skip botocore's parameter validation for these requests
    (factory.TRUSTED); here a validating client behind a Stubber checks their shapes."""
    import boto3
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from botocore.stub import Stubber

    from engagement.channel.outcome import Outcome

    client = boto3.client("dynamodb", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("transact_write_items", {})
    stub.add_response("batch_write_item", {"UnprocessedItems": {}})
    stub.add_response("delete_item", {})
    once = SendOnce(DynamoDBPersistenceLayer(table_name="Idempotency", boto3_client=client))
    with stub:
        claims = once.claim_many([{"endpoint_id": "e1"}, {"endpoint_id": "e2"}], lambda: 5.0)
        assert [c.state for c in claims] == ["claimed", "claimed"]
        assert (
            once.complete([(claims[0], Outcome(DeliveryStatus.SUCCESSFUL, "EMAIL", "m1"))], lambda: 5.0) == 0
        )
        assert once.release(claims[1], lambda: 5.0)
    stub.assert_no_pending_responses()


def test_a_batch_claims_with_distinct_owners_and_completes_the_records_it_claimed():
    """One random owner prefix per batch (not one draw per endpoint) still gives every lock its own
    owner, and the completion writes the very record key and owner digest the claim wrote (each
    computed once per claim, as Powertools computes them)."""
    import boto3
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from botocore.stub import Stubber

    from engagement.channel.outcome import Outcome

    client = boto3.client("dynamodb", region_name="us-east-1")
    sent: list[tuple[str, dict]] = []
    client.meta.events.register(
        "provide-client-params.dynamodb.*", lambda params, model, **_: sent.append((model.name, params))
    )
    stub = Stubber(client)
    for _ in range(2):
        stub.add_response("transact_write_items", {})
    stub.add_response("batch_write_item", {"UnprocessedItems": {}})
    store = DynamoDBPersistenceLayer(table_name="Idempotency", boto3_client=client)
    once = SendOnce(store)
    keys = [{"endpoint_id": f"e{i}"} for i in range(3)]
    with stub:
        first = once.claim_many(keys, lambda: 5.0)
        second = once.claim_many(keys, lambda: 5.0)
        once.complete(
            [(c, Outcome(DeliveryStatus.SUCCESSFUL, "EMAIL", f"m{i}")) for i, c in enumerate(first)],
            lambda: 5.0,
        )
    owners = [c.data["owner"] for c in first + second]
    assert len(set(owners)) == 6
    claimed = {
        item["Put"]["Item"]["id"]["S"]: item["Put"]["Item"]["validation"]["S"]
        for item in sent[0][1]["TransactItems"]
    }
    completed = {
        request["PutRequest"]["Item"]["id"]["S"]: request["PutRequest"]["Item"]["validation"]["S"]
        for request in sent[2][1]["RequestItems"]["Idempotency"]
    }
    assert completed == claimed and len(claimed) == 3
    assert claimed == {
        store._get_hashed_idempotency_key({"key": k}): store._get_hashed_payload({"owner": c.data["owner"]})
        for k, c in zip(keys, first, strict=True)
    }
