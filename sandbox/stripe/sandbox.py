"""StripeSandbox: the local Stripe API, its state, scenario controls and webhook sender."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

import stripe
from aiohttp import web

from .api import ApiCall, StripeApi
from .charges import ChargeFlows
from .checkout import CheckoutFlows
from .errors import ApiError
from .ids import IdFactory
from .objects_catalog import build_customer, build_price, build_product
from .pages import HostedPages
from .payments import Payments
from .state import Obj, Outcome, StripeState
from .subscriptions import SubscriptionFlows
from .time import Clock, HasNow, as_clock
from .webhooks import Endpoint, RetryPolicy, WebhookSender

log = logging.getLogger(__name__)


class StripeSandbox:
    """A local Stripe on 127.0.0.1: the API the bot calls, plus signed webhooks it receives.

    Point `stripe.StripeClient(api_key, base_addresses={"api": sb.api_base},
    http_client=stripe.AIOHTTPClient())` at it and register the bot's webhook URL with
    `add_endpoint`. Scenario methods change state and send the events Stripe would send.
    `clock` is a callable returning an aware datetime, or an object with `.now()` such as
    the bot's FakeClock; event times and periods come from it (signatures use real time).
    """

    def __init__(
        self,
        *,
        clock: Clock | HasNow | None = None,
        api_key: str = "sk_test_sandbox",
        host: str = "127.0.0.1",
        port: int = 0,
        api_version: str | None = None,
        seed: int | None = None,
        retry: RetryPolicy | None = None,
        ordered: bool = False,
        duplicate_rate: float = 0.0,
    ) -> None:
        self.api_key = api_key
        self._host, self._port = host, port
        self._state = StripeState(
            clock=as_clock(clock),
            ids=IdFactory(seed),
            api_version=api_version or stripe.api_version,
        )
        self.webhooks = WebhookSender(
            retry=retry, ordered=ordered, duplicate_rate=duplicate_rate, seed=seed
        )
        self._state.sink = self.webhooks
        payments = Payments(self._state)
        self._subscriptions = SubscriptionFlows(self._state, payments)
        self._checkout = CheckoutFlows(
            self._state, payments, self._subscriptions, lambda: self.api_base
        )
        self._charges = ChargeFlows(self._state, payments)
        self._api = StripeApi(
            self._state, self._checkout, api_key=api_key, public_url=lambda: self.api_base
        )
        self._runner: web.AppRunner | None = None
        self._base: str | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Start the webhook sender and the HTTP server (on a free port by default)."""
        await self.webhooks.start()
        app = web.Application(middlewares=[self._api.unknown_route])
        app.add_routes(self._api.routes())
        app.add_routes(HostedPages(self._state, lambda session_id: self.pay(session_id)).routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._base = f"http://{host}:{port}"
        log.info("Stripe sandbox listening on %s", self._base)

    async def close(self) -> None:
        """Stop deliveries and the server."""
        await self.webhooks.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_base(self) -> str:
        """The base URL for `base_addresses={"api": ...}` (`http://127.0.0.1:<port>`)."""
        if self._base is None:
            raise RuntimeError("the Stripe sandbox is not started")
        return self._base

    @property
    def events(self) -> list[Obj]:
        """Every event made so far, oldest first."""
        return self._state.events

    @property
    def calls(self) -> list[ApiCall]:
        """Every API request answered so far, with parsed params and status."""
        return self._api.calls

    def add_endpoint(
        self, url: str, secret: str, *, enabled_events: Sequence[str] = ("*",)
    ) -> Endpoint:
        """Send webhooks to `url`, signed with `secret` (`whsec_...`)."""
        return self.webhooks.add_endpoint(url, secret, enabled_events=enabled_events)

    def add_price(
        self,
        price_id: str,
        *,
        unit_amount: int,
        currency: str = "usd",
        interval: str | None = "month",
        interval_count: int = 1,
        product_name: str = "Membership",
        product_id: str | None = None,
        nickname: str | None = None,
        lookup_key: str | None = None,
        metadata: dict[str, str] | None = None,
        active: bool = True,
    ) -> Obj:
        """Create a price (recurring per `interval`, one-time when it is None) and its product."""
        now = self._state.now()
        product = self._state.find(product_id or "", "product")
        if product is None:
            product = self._state.put(
                build_product(
                    product_id or self._state.ids.new("prod"), name=product_name, created=now
                )
            )
        price = build_price(
            price_id,
            product_id=product["id"],
            unit_amount=unit_amount,
            currency=currency,
            interval=interval,
            interval_count=interval_count,
            created=now,
            nickname=nickname,
            lookup_key=lookup_key,
            metadata=metadata,
        )
        price["active"] = active
        product["default_price"] = product["default_price"] or price_id
        return copy.deepcopy(self._state.put(price))

    def add_customer(
        self,
        *,
        email: str | None = None,
        name: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> Obj:
        """Create a customer directly (no event), e.g. one that existed before the bot."""
        customer = build_customer(
            self._state.ids.new("cus"),
            created=self._state.now(),
            email=email,
            name=name,
            metadata=metadata or {},
            invoice_prefix=self._state.ids.invoice_prefix(),
        )
        return copy.deepcopy(self._state.put(customer))

    def create_checkout_session(self, params: Mapping[str, Any]) -> Obj:
        """What `POST /v1/checkout/sessions` does, from Python values; raises ApiError."""
        return copy.deepcopy(self._checkout.create_session(_as_form_values(params)))

    def get(self, obj_id: str) -> Obj:
        """A copy of any object by id (KeyError if unknown)."""
        return copy.deepcopy(self._state.objects[obj_id])

    def objects_of(self, object_type: str) -> list[Obj]:
        """Copies of every object of a type (`"subscription"`...), newest first."""
        return copy.deepcopy(self._state.all_of(object_type))

    @contextmanager
    def silent(self) -> Iterator[None]:
        """Inside this block, scenarios change state without sending any event (drift)."""
        self._state.silent = True
        try:
            yield
        finally:
            self._state.silent = False

    def inject_error(
        self,
        method: str,
        path: str,
        *,
        status: int = 500,
        times: int = 1,
        message: str | None = None,
        type: str | None = None,
        code: str | None = None,
    ) -> None:
        """Answer the next `times` requests to `method path*` with a Stripe error `status`."""
        default_type = "api_error" if status >= 500 else "invalid_request_error"
        if status == 429:
            code = code or "rate_limit"
        error = ApiError(
            status, message or f"Injected failure ({status})", type=type or default_type, code=code
        )
        self._api.inject(method=method, path=path, times=times, error=error)

    async def pay(
        self,
        session_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        trial_days: int | None = None,
        async_payment: bool = False,
    ) -> Outcome:
        """The customer pays a Checkout Session.

        Subscription mode: [customer.created], invoice.created, customer.subscription.created
        (incomplete), invoice.finalized, charge.succeeded, payment_intent.succeeded,
        customer.subscription.updated (active), invoice.paid, invoice.payment_succeeded,
        checkout.session.completed. With a trial (`trial_days` or the session's
        subscription_data) the subscription is created `trialing`, the invoice is 0, and there
        is no charge or update. Payment mode: [customer.created], payment_intent.created,
        charge.succeeded, payment_intent.succeeded, checkout.session.completed (paid); with
        `async_payment` the charge is pending (payment_intent.processing, charge.pending) and
        the session completes `unpaid` until `settle_async_payment`.
        """
        return self._run(
            "pay",
            session_id,
            lambda: self._checkout.pay(
                session_id,
                email=email,
                name=name,
                trial_days=trial_days,
                async_payment=async_payment,
            ),
        )

    async def settle_async_payment(self, session_id: str, *, succeed: bool = True) -> Outcome:
        """Settle a delayed payment: charge.succeeded, payment_intent.succeeded,
        checkout.session.async_payment_succeeded; or charge.failed,
        payment_intent.payment_failed, checkout.session.async_payment_failed."""
        return self._run(
            "settle", session_id, lambda: self._checkout.settle(session_id, succeed=succeed)
        )

    async def expire(self, session_id: str) -> Outcome:
        """An open Checkout Session expires: checkout.session.expired."""
        return self._run("expire", session_id, lambda: self._checkout.expire(session_id))

    async def renew(self, subscription_id: str) -> Outcome:
        """Next period, paid: invoice.created, customer.subscription.updated, invoice.finalized,
        charge.succeeded, payment_intent.succeeded, invoice.paid, invoice.payment_succeeded."""
        return self._run(
            "renew", subscription_id, lambda: self._subscriptions.renew(subscription_id)
        )

    async def fail_payment(self, subscription_id: str) -> Outcome:
        """Renewal declined: invoice.created, customer.subscription.updated (new period),
        invoice.finalized, charge.failed, payment_intent.payment_failed,
        invoice.payment_failed, customer.subscription.updated (past_due). On a past_due or
        unpaid plan, one more failed retry: charge.failed, payment_intent.payment_failed,
        invoice.payment_failed."""
        return self._run(
            "fail_payment",
            subscription_id,
            lambda: self._subscriptions.fail_payment(subscription_id),
        )

    async def recover(self, subscription_id: str) -> Outcome:
        """The open invoice is paid: charge.succeeded, payment_intent.succeeded, invoice.paid,
        invoice.payment_succeeded, customer.subscription.updated (active)."""
        return self._run(
            "recover", subscription_id, lambda: self._subscriptions.recover(subscription_id)
        )

    async def mark_unpaid(self, subscription_id: str) -> Outcome:
        """Retries exhausted: customer.subscription.updated (past_due → unpaid)."""
        return self._run(
            "mark_unpaid", subscription_id, lambda: self._subscriptions.mark_unpaid(subscription_id)
        )

    async def cancel_at_period_end(self, subscription_id: str) -> Outcome:
        """Cancel at period end: customer.subscription.updated (cancel_at, canceled_at set)."""
        return self._run(
            "cancel_at_period_end",
            subscription_id,
            lambda: self._subscriptions.cancel_at_period_end(subscription_id),
        )

    async def undo_cancel(self, subscription_id: str) -> Outcome:
        """Drop a scheduled cancel: customer.subscription.updated."""
        return self._run(
            "undo_cancel", subscription_id, lambda: self._subscriptions.undo_cancel(subscription_id)
        )

    async def end_period(self, subscription_id: str) -> Outcome:
        """A plan set to cancel ends at `cancel_at`: customer.subscription.deleted."""
        return self._run(
            "end_period", subscription_id, lambda: self._subscriptions.end_period(subscription_id)
        )

    async def cancel_now(self, subscription_id: str) -> Outcome:
        """Cancel immediately: customer.subscription.deleted (status canceled)."""
        return self._run(
            "cancel_now", subscription_id, lambda: self._subscriptions.cancel_now(subscription_id)
        )

    async def pause(self, subscription_id: str) -> Outcome:
        """Status paused: customer.subscription.updated, customer.subscription.paused."""
        return self._run(
            "pause", subscription_id, lambda: self._subscriptions.pause(subscription_id)
        )

    async def resume(self, subscription_id: str) -> Outcome:
        """Paused → active with a new paid period: invoice.created,
        customer.subscription.updated, customer.subscription.resumed, invoice.finalized,
        charge.succeeded, payment_intent.succeeded, invoice.paid, invoice.payment_succeeded."""
        return self._run(
            "resume", subscription_id, lambda: self._subscriptions.resume(subscription_id)
        )

    async def refund(
        self,
        charge_id: str,
        amount: int | None = None,
        *,
        reason: str | None = "requested_by_customer",
    ) -> Outcome:
        """Refund all that is left, or `amount`: charge.refunded, refund.created."""
        return self._run(
            "refund", charge_id, lambda: self._charges.refund(charge_id, amount, reason=reason)
        )

    async def dispute(self, charge_id: str, *, reason: str = "fraudulent") -> Outcome:
        """The card holder disputes the charge: charge.dispute.created."""
        return self._run(
            "dispute", charge_id, lambda: self._charges.dispute(charge_id, reason=reason)
        )

    async def close_dispute(self, dispute_id: str, *, status: str = "won") -> Outcome:
        """The dispute is decided (`won`, `lost`) or the inquiry closes: charge.dispute.closed."""
        return self._run(
            "close_dispute",
            dispute_id,
            lambda: self._charges.close_dispute(dispute_id, status=status),
        )

    def _run(self, name: str, target: str, scenario: Callable[[], Outcome]) -> Outcome:
        outcome = scenario()
        log.info(
            "scenario %s(%s)%s: %s",
            name,
            target,
            " [silent]" if self._state.silent else "",
            ", ".join(outcome.types) or "no events",
        )
        return outcome


def _as_form_values(value: Any) -> Any:
    """Python params as the form parser would give them (`True` → `"true"`, None dropped)."""
    if isinstance(value, Mapping):
        return {str(key): _as_form_values(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_as_form_values(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None or isinstance(value, str) else str(value)
