"""How alumni answer what students tell them (students.signals); found at start-up by ArtworxConfig.ready."""

from django.dispatch import receiver

from alumni.services import alumnus_create_for_graduate
from students.signals import student_graduated


@receiver(student_graduated, dispatch_uid="alumni_student_graduated")
def on_student_graduated(sender, *, student, graduated_on, diploma: str, plans: str, **kwargs) -> None:
    """A student graduated: open their alumni record in the same transaction."""
    alumnus_create_for_graduate(student=student, graduated_on=graduated_on, diploma=diploma, plans=plans)
