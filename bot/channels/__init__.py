"""Channel adapters: one module per platform behind :class:`bot.channels.base.Channel`."""
