"""Helpers for permission-matrix tests: one row per role, the expected status for each."""

ROLES = ("anonymous", "admin", "staff", "counselor", "teacher", "teaching_artist", "other_teacher", "no_role")


def matrix(**expected: int) -> list[tuple[str, int]]:
    """Expand `default=` plus per-role statuses into pytest parameters covering every role."""
    default = expected.pop("default", 403)
    expected.setdefault("anonymous", 302)
    unknown = set(expected) - set(ROLES)
    assert not unknown, f"unknown roles: {unknown}"
    return [(role, expected.get(role, default)) for role in ROLES]
