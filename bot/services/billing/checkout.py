"""What members ask for: tiers to pick from, a Checkout link, a customer-portal link."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.echo import echo
from bot.core.errors import DomainError, InvalidInput, NotFound
from bot.core.ports import PortError, Roles
from bot.core.text import t
from bot.services.billing.stripe_api import StripeApi, StripeRejected, StripeUnavailable
from bot.services.roles import hand_out_problem
from bot.settings import StripeSettings
from storage.billing import queries as billing
from storage.billing.models import Tier
from storage.database import Database

log = logging.getLogger(__name__)


class BillingUnavailable(DomainError):
    """Stripe cannot be reached or refused the request; nothing was charged."""


@dataclass(frozen=True)
class TierChoice:
    """A tier a member can pick."""

    key: str
    name: str
    kind: str


@dataclass(frozen=True)
class CheckoutLink:
    """Where the member pays for a tier."""

    url: str
    tier_name: str
    kind: str


class CheckoutService:
    """Creates Checkout and portal sessions for members."""

    def __init__(
        self, db: Database, stripe_api: StripeApi, settings: StripeSettings, roles: Roles
    ) -> None:
        self._db = db
        self._stripe = stripe_api
        self._settings = settings
        self._roles = roles

    async def tier_choices(self, guild_id: int, typed: str = "") -> list[TierChoice]:
        """Enabled tiers whose key or name contains `typed` (for autocomplete)."""
        needle = typed.strip().lower()
        async with self._db.read() as session:
            rows = await billing.tiers(session, guild_id)
        return [
            TierChoice(row.key, row.name, row.kind)
            for row in rows
            if needle in row.key.lower() or needle in row.name.lower()
        ][:25]

    async def checkout_link(self, guild_id: int, user_id: int, tier_key: str) -> CheckoutLink:
        """A Checkout Session for the member and tier, tagged so the payment finds them."""
        async with self._db.read() as session:
            tier = await billing.tier(session, guild_id, tier_key.strip().lower())
            if tier is None or not tier.enabled:
                names = ", ".join(row.key for row in await billing.tiers(session, guild_id))
                raise NotFound(
                    t(
                        "There is no tier called {tier}. Pick one of: {names}.",
                        tier=echo(tier_key),
                        names=names,
                    )
                    if names
                    else t("This server does not sell any tiers yet.")
                )
            held = await billing.entitlements_of_member(session, guild_id, user_id)
            customer_id = await billing.customer_of_member(session, guild_id, user_id)
        if any(row.tier_key == tier.key and row.active for row in held):
            raise InvalidInput(
                t(
                    "You already have **{tier}**. Use `/billing` to manage your membership.",
                    tier=echo(tier.name, 100),
                )
            )
        await self._check_role_is_safe(tier)
        metadata = {"guild_id": str(guild_id), "user_id": str(user_id), "tier": tier.key}
        try:
            session_link = await self._stripe.create_checkout_session(
                mode="subscription" if tier.kind == "subscription" else "payment",
                price_id=tier.stripe_price_id,
                client_reference_id=f"{guild_id}:{user_id}",
                metadata=metadata,
                success_url=self._settings.success_url,
                cancel_url=self._settings.cancel_url,
                customer_id=customer_id,
            )
        except StripeUnavailable as error:
            log.warning("checkout for %s in %s failed: %s", user_id, guild_id, error)
            raise BillingUnavailable(
                t(
                    "Payments are unavailable right now. Nothing was charged; please try again "
                    "in a minute."
                )
            ) from error
        except StripeRejected as error:
            log.error("Stripe refused a checkout for tier %s in %s: %s", tier.key, guild_id, error)
            raise BillingUnavailable(
                t(
                    "Stripe refused to start a checkout for **{tier}**. Please tell a "
                    "moderator (the tier's price may be misconfigured).",
                    tier=echo(tier.name, 100),
                )
            ) from error
        return CheckoutLink(session_link.url, tier.name, tier.kind)

    async def _check_role_is_safe(self, tier: Tier) -> None:
        """Sell nothing whose role the bot would refuse to give (it gained moderator powers)."""
        try:
            facts = await self._roles.describe(tier.guild_id, tier.role_id)
        except PortError as error:  # the outbox checks again before it gives the role
            log.warning("could not look at role %s before a checkout: %s", tier.role_id, error)
            return
        problem = hand_out_problem(facts) if facts is not None else None
        if problem is not None:
            log.error("tier %s in %s is not for sale: %s", tier.key, tier.guild_id, problem)
            raise BillingUnavailable(
                t(
                    "**{tier}** cannot be bought right now: its role needs a "
                    "moderator's attention. Nothing was charged; please tell a moderator.",
                    tier=echo(tier.name, 100),
                )
            )

    async def portal_link(self, guild_id: int, user_id: int) -> str:
        """A customer-portal link for the member's Stripe customer."""
        async with self._db.read() as session:
            customer_id = await billing.customer_of_member(session, guild_id, user_id)
        if customer_id is None:
            raise NotFound(
                t("You have no billing account here yet. Use `/subscribe` to join a paid tier.")
            )
        try:
            return await self._stripe.create_portal_session(
                customer_id, self._settings.portal_return_url
            )
        except (StripeUnavailable, StripeRejected) as error:
            log.warning("portal for %s in %s failed: %s", user_id, guild_id, error)
            raise BillingUnavailable(
                t("The billing portal is unavailable right now; please try again in a minute.")
            ) from error
