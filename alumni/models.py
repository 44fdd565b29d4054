"""Alumni and check-ins (built by the alumni issue)."""
