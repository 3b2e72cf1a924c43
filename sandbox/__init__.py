"""Local stand-ins for Discord and Stripe, for tests and the demo."""
