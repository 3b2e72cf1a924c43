"""The HTTP face of the stand-in: Stripe's REST routes, auth, errors, idempotency, faults."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from .checkout import CheckoutFlows
from .errors import ApiError, invalid_param, missing_param, resource_missing
from .forms import Params, get_bool, get_dict, get_list, get_str, parse_form
from .objects_catalog import build_portal_session
from .params import check_known, schema
from .state import Obj, StripeState

log = logging.getLogger(__name__)

Handler = Callable[[web.Request, Params], Awaitable[Obj]]

_SUBSCRIPTION_STATUSES = (
    "active",
    "all",
    "canceled",
    "ended",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
)


@dataclass(frozen=True)
class ApiCall:
    """One request the stand-in answered (for assertions on what a client asked)."""

    method: str
    path: str
    params: Params
    status: int
    at: datetime


@dataclass
class Fault:
    """An injected failure: the next `times` matching requests get `error`."""

    method: str
    path: str
    times: int
    error: ApiError = field(repr=False)


class StripeApi:
    """Routes `/v1/...` to the shared state; answers in Stripe's JSON shapes."""

    def __init__(
        self,
        state: StripeState,
        checkout: CheckoutFlows,
        *,
        api_key: str,
        public_url: Callable[[], str],
    ) -> None:
        self.state = state
        self.checkout = checkout
        self.api_key = api_key
        self.calls: list[ApiCall] = []
        self.faults: list[Fault] = []
        self._public_url = public_url
        self._idempotent: dict[str, tuple[str, Params, int, Obj]] = {}
        self._portal_configuration = state.ids.new("bpc")

    def routes(self) -> list[web.RouteDef]:
        """The `/v1` routes, each wrapped with auth, parsing, errors and logging."""
        table: list[tuple[str, str, Handler, tuple[str, str] | None]] = [
            ("POST", "/v1/checkout/sessions", self._create_session, None),
            (
                "GET",
                "/v1/checkout/sessions/{id}",
                self._retrieve("checkout.session"),
                ("stripe.params.checkout", "SessionRetrieveParams"),
            ),
            (
                "GET",
                "/v1/checkout/sessions/{id}/line_items",
                self._session_items,
                ("stripe.params.checkout", "SessionListLineItemsParams"),
            ),
            (
                "POST",
                "/v1/checkout/sessions/{id}/expire",
                self._expire_session,
                ("stripe.params.checkout", "SessionExpireParams"),
            ),
            (
                "POST",
                "/v1/billing_portal/sessions",
                self._create_portal,
                ("stripe.params.billing_portal", "SessionCreateParams"),
            ),
            (
                "GET",
                "/v1/subscriptions",
                self._list_subscriptions,
                ("stripe.params", "SubscriptionListParams"),
            ),
            ("GET", "/v1/prices", self._list_prices, ("stripe.params", "PriceListParams")),
            (
                "GET",
                "/v1/invoice_payments",
                self._list_invoice_payments,
                ("stripe.params", "InvoicePaymentListParams"),
            ),
        ]
        for path, object_type, name in (
            ("/v1/subscriptions/{id}", "subscription", "Subscription"),
            ("/v1/customers/{id}", "customer", "Customer"),
            ("/v1/prices/{id}", "price", "Price"),
            ("/v1/products/{id}", "product", "Product"),
            ("/v1/charges/{id}", "charge", "Charge"),
            ("/v1/invoices/{id}", "invoice", "Invoice"),
            ("/v1/payment_intents/{id}", "payment_intent", "PaymentIntent"),
            ("/v1/refunds/{id}", "refund", "Refund"),
            ("/v1/disputes/{id}", "dispute", "Dispute"),
            ("/v1/events/{id}", "event", "Event"),
        ):
            table.append(
                (
                    "GET",
                    path,
                    self._retrieve(object_type),
                    ("stripe.params", f"{name}RetrieveParams"),
                )
            )
        return [
            web.route(method, path, self._wrap(handler, params))
            for method, path, handler, params in table
        ]

    def inject(self, *, method: str, path: str, times: int, error: ApiError) -> None:
        """Fail the next `times` requests to `method path*` with `error`."""
        self.faults.append(Fault(method.upper(), path, times, error))

    @web.middleware
    async def unknown_route(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Stripe's 404 body for URLs it does not serve."""
        try:
            return await handler(request)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            if not request.path.startswith("/v1"):
                raise
            error = ApiError(
                404,
                f"Unrecognized request URL ({request.method}: "
                f"{request.path}). Please see https://stripe.com/docs or we can "
                "help at https://support.stripe.com/.",
            )
            return self._json(error.to_body(), error.status)

    def _wrap(
        self, handler: Handler, params_schema: tuple[str, str] | None
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        typed = schema(*params_schema) if params_schema else None

        async def route(request: web.Request) -> web.Response:
            params: Params = {}
            try:
                self._authenticate(request)
                pairs = (
                    (await request.post()).items()
                    if request.method == "POST"
                    else request.query.items()
                )
                params = parse_form((key, str(value)) for key, value in pairs)
                self._raise_fault(request)
                if typed is not None:
                    check_known(params, typed)
                replay = self._replay(request, params)
                if replay is not None:
                    return replay
                body = await handler(request, params)
                expand = get_list(params, "expand")
                status, body = 200, self.state.expand(body, expand) if expand else body
            except ApiError as error:
                status, body = error.status, error.to_body()
            self._remember(request, params, status, body)
            self.calls.append(
                ApiCall(request.method, request.path, params, status, self.state.clock())
            )
            log.debug("%s %s -> %d", request.method, request.path, status)
            return self._json(body, status)

        return route

    def _authenticate(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:]:
            raise ApiError(
                401,
                "You did not provide an API key. You need to provide your API "
                "key in the Authorization header, using Bearer auth (e.g. "
                "'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        key = header[7:]
        if key != self.api_key:
            raise ApiError(401, f"Invalid API Key provided: {key[:8]}{'*' * 12}{key[-4:]}")

    def _raise_fault(self, request: web.Request) -> None:
        for fault in self.faults:
            if fault.method == request.method and request.path.startswith(fault.path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                raise fault.error

    def _replay(self, request: web.Request, params: Params) -> web.Response | None:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or key is None or key not in self._idempotent:
            return None
        path, first_params, status, body = self._idempotent[key]
        if (path, first_params) != (request.path, params):
            raise ApiError(
                400,
                "Keys for idempotent requests can only be used with the same "
                f"parameters they were first used with. Try using a key other than "
                f"'{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        response = self._json(body, status)
        response.headers["Idempotent-Replayed"] = "true"
        return response

    def _remember(self, request: web.Request, params: Params, status: int, body: Obj) -> None:
        key = request.headers.get("Idempotency-Key")
        if (
            request.method == "POST"
            and key is not None
            and key not in self._idempotent
            and status < 500
        ):
            self._idempotent[key] = (request.path, params, status, body)

    def _json(self, body: Obj, status: int) -> web.Response:
        response = web.Response(
            text=json.dumps(body, indent=2), status=status, content_type="application/json"
        )
        response.headers["Request-Id"] = self.state.ids.new("req")
        response.headers["Stripe-Version"] = self.state.api_version
        return response

    async def _create_session(self, request: web.Request, params: Params) -> Obj:
        return self.checkout.create_session(params)

    def _retrieve(self, object_type: str) -> Handler:
        async def retrieve(request: web.Request, params: Params) -> Obj:
            return self.state.fetch(request.match_info["id"], object_type)

        return retrieve

    async def _session_items(self, request: web.Request, params: Params) -> Obj:
        session = self.state.fetch(request.match_info["id"], "checkout.session")
        items = self.state.checkout_items.get(session["id"], [])
        return self.state.page(items, params, url=f"{request.path}", object_type="item")

    async def _expire_session(self, request: web.Request, params: Params) -> Obj:
        session = self.state.fetch(request.match_info["id"], "checkout.session")
        if session["status"] != "open":
            raise ApiError(400, "Only Checkout Sessions with a status of `open` can be expired.")
        self.checkout.expire(session["id"], request=True)
        return session

    async def _create_portal(self, request: web.Request, params: Params) -> Obj:
        customer = get_str(params, "customer")
        if customer is None:
            raise missing_param("customer")
        if self.state.find(customer, "customer") is None:
            raise resource_missing("customer", customer, param="customer")
        return_url = get_str(params, "return_url")
        if return_url is not None and not return_url.startswith(("http://", "https://")):
            raise invalid_param("Not a valid URL", "return_url", "url_invalid")
        session_id = self.state.ids.new("bps")
        return self.state.put(
            build_portal_session(
                session_id,
                created=self.state.now(),
                customer=customer,
                configuration=get_str(params, "configuration") or self._portal_configuration,
                return_url=return_url,
                url=f"{self._public_url()}/p/session/{session_id}",
                locale=get_str(params, "locale"),
            )
        )

    async def _list_subscriptions(self, request: web.Request, params: Params) -> Obj:
        status = get_str(params, "status")
        if status is not None and status not in _SUBSCRIPTION_STATUSES:
            raise invalid_param(
                f"Invalid status: must be one of {', '.join(_SUBSCRIPTION_STATUSES)}", "status"
            )
        customer, price = get_str(params, "customer"), get_str(params, "price")
        items = [
            sub
            for sub in self.state.all_of("subscription")
            if _status_matches(sub["status"], status)
            and customer in (None, sub["customer"])
            and (
                price is None or any(item["price"]["id"] == price for item in sub["items"]["data"])
            )
        ]
        return self.state.page(items, params, url="/v1/subscriptions", object_type="subscription")

    async def _list_invoice_payments(self, request: web.Request, params: Params) -> Obj:
        invoice, status = get_str(params, "invoice"), get_str(params, "status")
        payment = get_dict(params, "payment") or {}
        if payment and payment.get("type") != "payment_intent":
            raise invalid_param("Invalid payment[type]: must be payment_intent", "payment[type]")
        intent = payment.get("payment_intent")
        items = [
            found
            for found in self.state.all_of("invoice_payment")
            if invoice in (None, found["invoice"])
            and status in (None, found["status"])
            and intent in (None, found["payment"]["payment_intent"])
        ]
        return self.state.page(
            items, params, url="/v1/invoice_payments", object_type="invoice_payment"
        )

    async def _list_prices(self, request: web.Request, params: Params) -> Obj:
        active = get_bool(params, "active")
        product, kind = get_str(params, "product"), get_str(params, "type")
        currency = get_str(params, "currency")
        interval = get_dict(params, "recurring").get("interval")
        items = [
            price
            for price in self.state.all_of("price")
            if active in (None, price["active"])
            and product in (None, price["product"])
            and kind in (None, price["type"])
            and currency in (None, price["currency"])
            and interval in (None, (price["recurring"] or {}).get("interval"))
        ]
        return self.state.page(items, params, url="/v1/prices", object_type="price")


def _status_matches(status: str, wanted: str | None) -> bool:
    if wanted is None:
        return status not in ("canceled", "incomplete_expired")
    if wanted == "all":
        return True
    if wanted == "ended":
        return status in ("canceled", "incomplete_expired")
    return status == wanted
