"""Lyceum: a Discord bot that runs a paid, tech-focused knowledge community."""
