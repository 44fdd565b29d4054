"""Signing in: allauth's adapters, the lockout, the second factor the staff roles must hold."""
