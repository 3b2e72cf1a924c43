"""The shared role outbox and the registry of roles the bot manages."""
