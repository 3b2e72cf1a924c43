"""Tiny hosted pages behind the URLs the stand-in hands out (Checkout and the portal)."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from aiohttp import web

from .errors import ScenarioError
from .payments import money
from .state import Outcome, StripeState

Pay = Callable[[str], Awaitable[Outcome]]

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto">
<h1>{title}</h1>{body}<p><small>Stripe sandbox &middot; nothing here reaches Stripe</small></p>
</body></html>"""


class HostedPages:
    """`GET/POST /c/pay/{id}` (a pay button for a session) and `GET /p/session/{id}`."""

    def __init__(self, state: StripeState, pay: Pay) -> None:
        self.state = state
        self._pay = pay

    def routes(self) -> list[web.RouteDef]:
        """The page routes."""
        return [
            web.get("/c/pay/{id}", self._checkout_page),
            web.post("/c/pay/{id}", self._checkout_submit),
            web.get("/p/session/{id}", self._portal_page),
        ]

    async def _checkout_page(self, request: web.Request) -> web.Response:
        session = self.state.find(request.match_info["id"], "checkout.session")
        if session is None:
            raise web.HTTPNotFound(text="No such checkout session")
        if session["status"] != "open":
            return _page("Checkout", f"<p>This session is {html.escape(session['status'])}.</p>")
        items = "".join(
            f"<li>{item['quantity']} \N{MULTIPLICATION SIGN} {html.escape(item['description'])}: "
            f"{money(item['amount_total'], item['currency'])}</li>"
            for item in self.state.checkout_items.get(session["id"], [])
        )
        total = money(session["amount_total"], session["currency"])
        form = f'<form method="post"><button>Pay {total}</button></form>'
        return _page("Checkout", f"<ul>{items}</ul>{form}")

    async def _checkout_submit(self, request: web.Request) -> web.Response:
        try:
            outcome = await self._pay(request.match_info["id"])
        except ScenarioError as error:
            return _page("Checkout", f"<p>{html.escape(str(error))}</p>", status=409)
        session = self.state.find(request.match_info["id"], "checkout.session") or {}
        if session.get("success_url"):
            raise web.HTTPSeeOther(session["success_url"])
        return _page("Paid", f"<p>{len(outcome.events)} events sent.</p>")

    async def _portal_page(self, request: web.Request) -> web.Response:
        portal = self.state.find(request.match_info["id"], "billing_portal.session")
        if portal is None:
            raise web.HTTPNotFound(text="No such portal session")
        rows = "".join(
            f"<li>{html.escape(sub['id'])}: {html.escape(sub['status'])}"
            f"{' (cancels at period end)' if sub['cancel_at_period_end'] else ''}</li>"
            for sub in self.state.all_of("subscription")
            if sub["customer"] == portal["customer"]
        )
        back = (
            f'<p><a href="{html.escape(portal["return_url"])}">Back</a></p>'
            if portal["return_url"]
            else ""
        )
        return _page("Billing", f"<ul>{rows or '<li>No subscriptions</li>'}</ul>{back}")


def _page(title: str, body: str, *, status: int = 200) -> web.Response:
    return web.Response(
        text=_PAGE.format(title=title, body=body), status=status, content_type="text/html"
    )
