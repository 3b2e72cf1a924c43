"""Checkout Sessions: validate and create them, then pay, settle or expire them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import (
    ApiError,
    ScenarioError,
    invalid_param,
    missing_param,
    resource_missing,
)
from .forms import get_bool, get_dict, get_int, get_list, get_metadata, get_str
from .objects_catalog import build_checkout_item, build_checkout_session, build_customer_details
from .params import check_known, schema
from .payments import Payments
from .state import Obj, Outcome, StripeState
from .subscriptions import SubscriptionFlows

log = logging.getLogger(__name__)

_CREATE_SCHEMA = schema("stripe.params.checkout", "SessionCreateParams")
_DEFAULT_EMAIL = "member@example.com"


@dataclass(frozen=True)
class _Request:
    """What a session was created with that only matters once it is paid."""

    lines: list[tuple[Obj, int]]
    subscription_metadata: dict[str, str]
    subscription_description: str | None
    trial_period_days: int | None
    trial_end: int | None
    intent_metadata: dict[str, str]
    intent_description: str | None


class CheckoutFlows:
    """Creates Checkout Sessions and plays what happens when a customer pays."""

    def __init__(
        self,
        state: StripeState,
        payments: Payments,
        subscriptions: SubscriptionFlows,
        public_url: Callable[[], str],
    ) -> None:
        self.state = state
        self.payments = payments
        self.subscriptions = subscriptions
        self._public_url = public_url
        self._requests: dict[str, _Request] = {}

    def create_session(self, params: dict[str, Any]) -> Obj:
        """A new open session from `POST /v1/checkout/sessions` params; Stripe's 400s on misuse."""
        check_known(params, _CREATE_SCHEMA)
        mode = get_str(params, "mode")
        if mode is None:
            raise missing_param("mode")
        if mode not in ("payment", "subscription"):
            raise invalid_param(
                f"Invalid mode {mode!r}: the Stripe sandbox supports payment and subscription",
                "mode",
            )
        lines = self._line_items(params, mode)
        customer_id = get_str(params, "customer")
        customer_email = get_str(params, "customer_email")
        if customer_id is not None and customer_email is not None:
            raise ApiError(
                400,
                "You may only specify one of these parameters: customer, customer_email.",
                param="customer_email",
            )
        if customer_id is not None and self.state.find(customer_id, "customer") is None:
            raise resource_missing("customer", customer_id, param="customer")
        for key, allowed_mode in (
            ("subscription_data", "subscription"),
            ("payment_intent_data", "payment"),
        ):
            if key in params and mode != allowed_mode:
                raise invalid_param(f"You can not pass `{key}` in `{mode}` mode.", key)
        customer_creation = get_str(params, "customer_creation")
        if customer_creation is not None and mode != "payment":
            raise invalid_param(
                "`customer_creation` can only be used in `payment` mode.", "customer_creation"
            )
        if customer_creation not in (None, "always", "if_required"):
            raise invalid_param("Invalid customer_creation", "customer_creation")
        for key in ("success_url", "cancel_url"):
            url = get_str(params, key)
            if url is not None and not url.startswith(("http://", "https://")):
                raise invalid_param("Not a valid URL", key, "url_invalid")
        reference = get_str(params, "client_reference_id")
        if reference is not None and len(reference) > 200:
            raise invalid_param(
                "client_reference_id can be up to 200 characters.", "client_reference_id"
            )
        request = self._request(params, lines)
        session_id = self.state.ids.new("cs_test")
        session = self.state.put(
            build_checkout_session(
                session_id,
                created=self.state.now(),
                url=f"{self._public_url()}/c/pay/{session_id}",
                mode=mode,
                amount=sum(price["unit_amount"] * qty for price, qty in lines),
                currency=lines[0][0]["currency"],
                customer=customer_id,
                customer_email=customer_email,
                customer_creation=None
                if mode == "subscription" or customer_id
                else customer_creation or "if_required",
                client_reference_id=reference,
                metadata=get_metadata(params),
                success_url=get_str(params, "success_url"),
                cancel_url=get_str(params, "cancel_url"),
                allow_promotion_codes=get_bool(params, "allow_promotion_codes"),
            )
        )
        self.state.checkout_items[session_id] = [
            build_checkout_item(
                self.state.ids.new("li"),
                price=price,
                quantity=qty,
                description=self._product_name(price),
            )
            for price, qty in lines
        ]
        self._requests[session_id] = request
        log.info("checkout session %s created (%s, %s)", session_id, mode, reference)
        return session

    def _line_items(self, params: dict[str, Any], mode: str) -> list[tuple[Obj, int]]:
        entries = get_list(params, "line_items")
        if not entries:
            raise missing_param("line_items")
        lines: list[tuple[Obj, int]] = []
        for index, entry in enumerate(entries):
            name = f"line_items[{index}]"
            if not isinstance(entry, dict):
                raise invalid_param("Invalid hash", name, "parameter_invalid_hash")
            if "price_data" in entry:
                raise invalid_param(
                    "The Stripe sandbox supports line items with `price` only.",
                    f"{name}[price_data]",
                )
            price_id = get_str(entry, "price", f"{name}[price]")
            if price_id is None:
                raise missing_param(f"{name}[price]")
            price = self.state.find(price_id, "price")
            if price is None:
                raise resource_missing("price", price_id, param=f"{name}[price]")
            if not price["active"]:
                raise invalid_param(
                    "The price specified is inactive. This field only accepts active prices.",
                    f"{name}[price]",
                )
            quantity = get_int(entry, "quantity", f"{name}[quantity]", minimum=1)
            if quantity is None:
                raise missing_param(f"{name}[quantity]")
            if mode == "payment" and price["type"] == "recurring":
                raise invalid_param(
                    "You specified `payment` mode but passed a recurring price. "
                    "Either switch to `subscription` mode or use only one-time "
                    "prices.",
                    f"{name}[price]",
                )
            if mode == "subscription" and price["type"] != "recurring":
                raise invalid_param(
                    "The Stripe sandbox needs recurring prices only in `subscription` mode.",
                    f"{name}[price]",
                )
            lines.append((price, quantity))
        if len({price["currency"] for price, _ in lines}) > 1:
            raise invalid_param("All prices must use the same currency.", "line_items")
        intervals = {(p["recurring"] or {}).get("interval") for p, _ in lines}
        if len(intervals) > 1:
            raise invalid_param(
                "Checkout does not support multiple prices with different billing intervals.",
                "line_items",
            )
        return lines

    def _request(self, params: dict[str, Any], lines: list[tuple[Obj, int]]) -> _Request:
        subscription_data = get_dict(params, "subscription_data")
        intent_data = get_dict(params, "payment_intent_data")
        trial_end = get_int(
            subscription_data,
            "trial_end",
            "subscription_data[trial_end]",
            minimum=self.state.now() + 1,
        )
        return _Request(
            lines=lines,
            subscription_metadata=get_metadata(
                subscription_data, param="subscription_data[metadata]"
            ),
            subscription_description=get_str(subscription_data, "description"),
            trial_period_days=get_int(
                subscription_data,
                "trial_period_days",
                "subscription_data[trial_period_days]",
                minimum=1,
                maximum=730,
            ),
            trial_end=trial_end,
            intent_metadata=get_metadata(intent_data, param="payment_intent_data[metadata]"),
            intent_description=get_str(intent_data, "description"),
        )

    def pay(
        self,
        session_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        trial_days: int | None = None,
        async_payment: bool = False,
    ) -> Outcome:
        """The customer completes Checkout (see StripeSandbox.pay for the events)."""
        session = self.state.require(session_id, "checkout.session")
        if session["status"] != "open":
            raise ScenarioError(f"checkout session {session_id} is {session['status']}, not open")
        if self.state.now() >= session["expires_at"]:
            raise ScenarioError(f"checkout session {session_id} expired at {session['expires_at']}")
        request = self._requests[session_id]
        existing = self.state.find(session["customer"] or "", "customer")
        email = (
            email or session["customer_email"] or (existing or {}).get("email") or _DEFAULT_EMAIL
        )
        if session["mode"] == "subscription":
            if async_payment:
                raise ScenarioError("async payments are played in payment mode only")
            return self._pay_subscription(session, request, existing, email, name, trial_days)
        return self._pay_once(session, request, existing, email, name, async_payment)

    def _pay_subscription(
        self,
        session: Obj,
        request: _Request,
        existing: Obj | None,
        email: str,
        name: str | None,
        trial_days: int | None,
    ) -> Outcome:
        events: list[Obj] = []
        customer = existing or self.payments.create_customer(events, email=email, name=name)
        payment_method = self.state.ids.new("pm")
        customer["invoice_settings"]["default_payment_method"] = payment_method
        days = trial_days if trial_days is not None else request.trial_period_days
        trial_end = request.trial_end or (self.state.now() + days * 86400 if days else None)
        subscription, invoice = self.subscriptions.start(
            events,
            customer=customer,
            lines=request.lines,
            metadata=request.subscription_metadata,
            trial_end=trial_end,
            payment_method=payment_method,
            description=request.subscription_description,
        )
        self._complete(
            events,
            session,
            email=email,
            name=name,
            customer=customer["id"],
            payment_status="no_payment_required" if trial_end else "paid",
            subscription=subscription["id"],
            invoice=invoice["id"],
        )
        intent = self.payments.intent_for(invoice)
        return Outcome(
            events=tuple(events),
            session_id=session["id"],
            customer_id=customer["id"],
            subscription_id=subscription["id"],
            invoice_id=invoice["id"],
            payment_intent_id=intent["id"] if intent else None,
            charge_id=intent["latest_charge"] if intent else None,
        )

    def _pay_once(
        self,
        session: Obj,
        request: _Request,
        existing: Obj | None,
        email: str,
        name: str | None,
        async_payment: bool,
    ) -> Outcome:
        events: list[Obj] = []
        customer = existing
        if customer is None and session["customer_creation"] == "always":
            customer = self.payments.create_customer(events, email=email, name=name)
        intent = self.payments.new_intent(
            amount=session["amount_total"],
            currency=session["currency"],
            customer=customer["id"] if customer else None,
            description=request.intent_description,
            metadata=request.intent_metadata,
            payment_method=self.state.ids.new("pm"),
        )
        self.payments.emit(events, "payment_intent.created", intent)
        charge = self.payments.attempt_charge(
            events, intent, "pending" if async_payment else "succeed", email=email, name=name
        )
        self._complete(
            events,
            session,
            email=email,
            name=name,
            customer=customer["id"] if customer else None,
            payment_status="unpaid" if async_payment else "paid",
            payment_intent=intent["id"],
        )
        return Outcome(
            events=tuple(events),
            session_id=session["id"],
            customer_id=customer["id"] if customer else None,
            payment_intent_id=intent["id"],
            charge_id=charge["id"],
        )

    def _complete(
        self,
        events: list[Obj],
        session: Obj,
        *,
        email: str,
        name: str | None,
        **links: str | None,
    ) -> None:
        session.update(
            collected_information={
                "business_name": None,
                "individual_name": None,
                "shipping_details": None,
            },
            customer_details=build_customer_details(email=email, name=name),
            status="complete",
            url=None,
            **links,
        )
        self.payments.emit(events, "checkout.session.completed", session)

    def settle(self, session_id: str, *, succeed: bool = True) -> Outcome:
        """A delayed payment (bank debit) of a completed payment-mode session settles or fails."""
        session = self.state.require(session_id, "checkout.session")
        if session["status"] != "complete" or session["payment_status"] != "unpaid":
            raise ScenarioError(f"checkout session {session_id} has no payment to settle")
        intent = self.state.require(session["payment_intent"], "payment_intent")
        events: list[Obj] = []
        charge = self.payments.settle_pending(events, intent, succeed=succeed)
        if succeed:
            session["payment_status"] = "paid"
            self.payments.emit(events, "checkout.session.async_payment_succeeded", session)
        else:
            self.payments.emit(events, "checkout.session.async_payment_failed", session)
        return Outcome(
            events=tuple(events),
            session_id=session_id,
            customer_id=session["customer"],
            payment_intent_id=intent["id"],
            charge_id=charge["id"],
        )

    def expire(self, session_id: str, *, request: bool = False) -> Outcome:
        """An open session expires (`checkout.session.expired`)."""
        session = self.state.require(session_id, "checkout.session")
        if session["status"] != "open":
            raise ScenarioError(f"checkout session {session_id} is {session['status']}, not open")
        session.update(status="expired", url=None)
        events: list[Obj] = []
        self.payments.emit(events, "checkout.session.expired", session, request=request)
        return Outcome(events=tuple(events), session_id=session_id)

    def _product_name(self, price: Obj) -> str:
        product = self.state.find(price["product"], "product")
        return str(product["name"]) if product else str(price["product"])
