"""Writes of the retention app: anonymisation, a family's copy and corrections, district releases."""
