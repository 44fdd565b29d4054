"""Notifications: the outbox every reminder goes through (DESIGN.md rule 11)."""
