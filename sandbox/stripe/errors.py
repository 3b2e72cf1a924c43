"""Errors: Stripe-shaped API errors for HTTP callers, scenario errors for tests."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered in Stripe's shape: `{"error": {type, code, message, param}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param

    def to_body(self) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


def resource_missing(object_type: str, object_id: str, param: str = "id") -> ApiError:
    """Stripe's 404 for an id it does not know (`No such subscription: 'sub_x'`)."""
    status = 404 if param == "id" else 400
    return ApiError(
        status, f"No such {object_type}: '{object_id}'", code="resource_missing", param=param
    )


def invalid_param(message: str, param: str, code: str = "parameter_invalid") -> ApiError:
    """Stripe's 400 for a parameter with a bad value."""
    return ApiError(400, message, code=code, param=param)


def missing_param(param: str) -> ApiError:
    """Stripe's 400 for a required parameter that was not sent."""
    return ApiError(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


class ScenarioError(Exception):
    """A scenario asked for a transition Stripe would not make (e.g. renew a canceled plan)."""
