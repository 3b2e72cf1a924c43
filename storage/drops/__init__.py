"""Drops: the content library, its scheduled drops and each member's drip unlocks."""
