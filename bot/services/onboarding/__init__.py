"""Onboarding: the rules gate, the welcome once a member is really in, interests."""

from bot.services.onboarding.service import OnboardingService
from bot.services.onboarding.setup import OnboardingSetup
from bot.services.onboarding.views import (
    COMPLETED_ONBOARDING,
    DID_REJOIN,
    STARTED_ONBOARDING,
    AgreeResult,
    MemberLookup,
    OnboardingView,
    Presence,
    ProfileView,
    StartView,
    TopicView,
)

__all__ = [
    "COMPLETED_ONBOARDING",
    "DID_REJOIN",
    "STARTED_ONBOARDING",
    "AgreeResult",
    "MemberLookup",
    "OnboardingService",
    "OnboardingSetup",
    "OnboardingView",
    "Presence",
    "ProfileView",
    "StartView",
    "TopicView",
]
