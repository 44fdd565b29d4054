"""How alumni answer what students tell them (students.signals), connected in AlumniConfig.ready."""

from alumni.services import alumnus_create_for_graduate


def on_student_graduated(sender, *, student, graduated_on, diploma: str, plans: str, **kwargs) -> None:
    """A student graduated: open their alumni record in the same transaction."""
    alumnus_create_for_graduate(student=student, graduated_on=graduated_on, diploma=diploma, plans=plans)
