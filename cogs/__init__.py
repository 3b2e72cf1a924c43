"""Discord-facing extensions: thin cogs that call one service method each."""
