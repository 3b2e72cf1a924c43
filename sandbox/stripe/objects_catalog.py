"""Builders for products, prices, customers, Checkout and portal sessions, from the fixtures."""

from __future__ import annotations

import copy
from typing import Any

from .templates import template

Obj = dict[str, Any]


def build_product(product_id: str, *, name: str, created: int) -> Obj:
    """A product (`prod_...`) sold as a service."""
    product = template("product")
    product.update(
        id=product_id,
        name=name,
        created=created,
        updated=created,
        default_price=None,
        description=None,
        images=[],
        marketing_features=[],
        metadata={},
        package_dimensions=None,
        shippable=None,
        type="service",
        url=None,
    )
    return product


def build_price(
    price_id: str,
    *,
    product_id: str,
    unit_amount: int,
    currency: str,
    interval: str | None,
    interval_count: int,
    created: int,
    nickname: str | None = None,
    lookup_key: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Obj:
    """A price: recurring when `interval` is given, one-time otherwise."""
    price = template("price")
    recurring = None
    if interval is not None:
        recurring = dict(price["recurring"], interval=interval, interval_count=interval_count)
    price.update(
        id=price_id,
        created=created,
        currency=currency,
        custom_unit_amount=None,
        lookup_key=lookup_key,
        metadata=dict(metadata or {}),
        nickname=nickname,
        product=product_id,
        recurring=recurring,
        transform_quantity=None,
        type="one_time" if interval is None else "recurring",
        unit_amount=unit_amount,
        unit_amount_decimal=str(unit_amount),
    )
    return price


def build_plan(price: Obj) -> Obj:
    """The legacy `plan` view of a recurring price, as subscription items still carry it."""
    plan = template("plan")
    recurring = price["recurring"]
    plan.update(
        id=price["id"],
        amount=price["unit_amount"],
        amount_decimal=price["unit_amount_decimal"],
        created=price["created"],
        currency=price["currency"],
        interval=recurring["interval"],
        interval_count=recurring["interval_count"],
        metadata=dict(price["metadata"]),
        nickname=price["nickname"],
        product=price["product"],
        transform_usage=None,
    )
    return plan


def build_customer(
    customer_id: str,
    *,
    created: int,
    email: str | None,
    name: str | None,
    metadata: dict[str, str],
    invoice_prefix: str,
) -> Obj:
    """A customer (`cus_...`)."""
    customer = template("customer")
    customer.update(
        id=customer_id,
        address=None,
        created=created,
        discount=None,
        email=email,
        invoice_prefix=invoice_prefix,
        metadata=dict(metadata),
        name=name,
        next_invoice_sequence=1,
        shipping=None,
    )
    return customer


def build_checkout_item(item_id: str, *, price: Obj, quantity: int, description: str) -> Obj:
    """One line of a Checkout Session (`object: "item"`)."""
    item = template("item")
    amount = price["unit_amount"] * quantity
    item.update(
        id=item_id,
        adjustable_quantity=None,
        amount_discount=0,
        amount_subtotal=amount,
        amount_tax=0,
        amount_total=amount,
        currency=price["currency"],
        description=description,
        metadata={},
        price=copy.deepcopy(price),
        quantity=quantity,
    )
    return item


def build_checkout_session(
    session_id: str,
    *,
    created: int,
    url: str,
    mode: str,
    amount: int,
    currency: str,
    customer: str | None,
    customer_email: str | None,
    customer_creation: str | None,
    client_reference_id: str | None,
    metadata: dict[str, str],
    success_url: str | None,
    cancel_url: str | None,
    allow_promotion_codes: bool | None,
) -> Obj:
    """An open Checkout Session (`cs_test_...`)."""
    session = template("checkout.session")
    subscription_mode = mode == "subscription"
    session.update(
        id=session_id,
        adaptive_pricing={"enabled": False},
        after_expiration=None,
        allow_promotion_codes=allow_promotion_codes,
        amount_subtotal=amount,
        amount_total=amount,
        cancel_url=cancel_url,
        client_reference_id=client_reference_id,
        collected_information=None,
        consent=None,
        consent_collection=None,
        created=created,
        currency=currency,
        currency_conversion=None,
        custom_text={
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        customer=customer,
        customer_creation=customer_creation,
        customer_details=None,
        customer_email=customer_email,
        expires_at=created + 24 * 3600,
        invoice=None,
        invoice_creation=None
        if subscription_mode
        else {
            "enabled": False,
            "invoice_data": session["invoice_creation"]["invoice_data"],
        },
        managed_payments={"enabled": False},
        metadata=metadata,
        mode=mode,
        payment_intent=None,
        payment_method_collection="always" if subscription_mode else None,
        payment_method_configuration_details=None,
        payment_status="unpaid",
        shipping_address_collection=None,
        shipping_cost=None,
        status="open",
        subscription=None,
        success_url=success_url,
        total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        ui_mode="hosted_page",
        url=url,
    )
    return session


def build_customer_details(*, email: str, name: str | None) -> Obj:
    """The `customer_details` a completed Checkout Session carries."""
    details: Obj = template("checkout.session")["customer_details"]
    details.update(email=email, name=name, tax_ids=[])
    return details


def build_portal_session(
    session_id: str,
    *,
    created: int,
    customer: str,
    configuration: str,
    return_url: str | None,
    url: str,
    locale: str | None,
) -> Obj:
    """A billing portal session (`bps_...`)."""
    portal = template("billing_portal.session")
    portal.update(
        id=session_id,
        configuration=configuration,
        created=created,
        customer=customer,
        flow=None,
        livemode=False,
        locale=locale,
        on_behalf_of=None,
        return_url=return_url,
        url=url,
    )
    return portal
