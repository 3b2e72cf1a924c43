"""Onboarding: each guild's gate, welcome and topics, and each member's progress."""
