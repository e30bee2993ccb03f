"""State: pure functions of (model, now): phases, component status, uptime, what pages show."""
