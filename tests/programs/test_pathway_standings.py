"""A student's standing in each program and pathway (programs/totals.py, STANDINGS): kept by triggers
whoever writes the participations, the cohorts' programs or the pathways' steps, and never missing a
pair when a step and a student's first participation in its program are written at the same moment."""

from datetime import date

import pytest

from programs.models import (
    Participation,
    Pathway,
    PathwayStep,
    PathwayStudentTotals,
    StudentProgramTotals,
)
from programs.selectors import pathway_outcomes
from tests.concurrency import interleave, race
from tests.factories import CohortFactory, ProgramFactory, StudentFactory
from tests.reports.test_running_totals import recount_standings

pytestmark = pytest.mark.django_db
DAY = date(2026, 9, 14)


def standings() -> dict:
    return {
        (t.student_id, t.program_id): (t.participations, t.completions)
        for t in StudentProgramTotals.objects.exclude(participations=0, completions=0)
    }


def pairs() -> dict:
    return {
        (t.pathway_id, t.student_id): (t.programs, t.completed)
        for t in PathwayStudentTotals.objects.exclude(programs=0, completed=0)
    }


def join(cohort, student, status="enrolled") -> Participation:
    return Participation.objects.create(cohort=cohort, student=student, joined_on=DAY, status=status)


def test_each_write_moves_the_standings_of_its_student_program_and_pathway():
    drawing, painting, mural = ProgramFactory.create_batch(3)
    pathway = Pathway.objects.create(name="Visual arts")
    PathwayStep.objects.create(pathway=pathway, program=drawing, position=1)
    PathwayStep.objects.create(pathway=pathway, program=painting, position=2)
    ana, ben = StudentFactory.create_batch(2)
    first, again = CohortFactory(program=drawing), CohortFactory(program=drawing)

    taken = join(first, ana)
    assert standings() == {(ana.pk, drawing.pk): (1, 0)}
    assert pairs() == {(pathway.pk, ana.pk): (1, 0)}
    # A second cohort of the same program: two participations, still one program of the pathway.
    join(again, ana, status="completed")
    assert standings() == {(ana.pk, drawing.pk): (2, 1)}
    assert pairs() == {(pathway.pk, ana.pk): (1, 1)}
    # Completed, then withdrawn (a correction): the completion goes with it.
    taken.status = "withdrawn"
    taken.save()
    Participation.objects.filter(cohort=again).update(status="withdrawn")
    assert standings() == {(ana.pk, drawing.pk): (2, 0)}
    assert pairs() == {(pathway.pk, ana.pk): (1, 0)}
    # A program outside the pathway counts for its standing only; added as a step, it counts there too.
    join(CohortFactory(program=mural), ben, status="completed")
    assert pairs() == {(pathway.pk, ana.pk): (1, 0)}
    step = PathwayStep.objects.create(pathway=pathway, program=mural, position=3)
    assert pairs() == {(pathway.pk, ana.pk): (1, 0), (pathway.pk, ben.pk): (1, 1)}
    # The step moved to another pathway, then taken out.
    other = Pathway.objects.create(name="Public art")
    PathwayStep.objects.filter(pk=step.pk).update(pathway=other)
    assert pairs() == {(pathway.pk, ana.pk): (1, 0), (other.pk, ben.pk): (1, 1)}
    PathwayStep.objects.filter(pk=step.pk).delete()
    assert pairs() == {(pathway.pk, ana.pk): (1, 0)}
    # A cohort given another program: its participations count there now.
    first.program = painting
    first.save()
    assert standings() == {
        (ana.pk, drawing.pk): (1, 0),
        (ana.pk, painting.pk): (1, 0),
        (ben.pk, mural.pk): (1, 1),
    }
    assert pairs() == {(pathway.pk, ana.pk): (2, 0)}
    # A participation moved to another cohort, then removed.
    Participation.objects.filter(cohort=again).update(cohort=CohortFactory(program=mural))
    assert pairs() == {(pathway.pk, ana.pk): (1, 0)}
    Participation.objects.filter(student=ana).delete()
    assert pairs() == {}
    assert (standings(), pairs()) == recount_standings()


def test_the_outcomes_across_every_site_count_the_pairs():
    drawing, painting = ProgramFactory.create_batch(2)
    pathway = Pathway.objects.create(name="Visual arts")
    for position, program in enumerate((drawing, painting), start=1):
        PathwayStep.objects.create(pathway=pathway, program=program, position=position)
    ana, ben, cruz = StudentFactory.create_batch(3)
    for program in (drawing, painting):
        join(CohortFactory(program=program), ana, status="completed")
    join(CohortFactory(program=drawing), ben, status="completed")
    join(CohortFactory(program=painting), cruz)
    assert pathway_outcomes() == {"students": 3, "completed": 1, "graduated": 0, "certified": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step_first", [False, True], ids=["participation first", "step first"])
def test_a_step_written_with_a_students_first_participation_in_its_program_never_misses_the_pair(step_first):
    """Either transaction may start first: the other waits for it and reads what it committed."""
    pathway, program = Pathway.objects.create(name="Film"), ProgramFactory()
    cohort, student = CohortFactory(program=program), StudentFactory()

    def add_step():
        PathwayStep.objects.create(pathway=pathway, program=program, position=1)

    def take_part():
        join(cohort, student, status="completed")

    interleave(*((add_step, take_part) if step_first else (take_part, add_step)))
    assert pairs() == {(pathway.pk, student.pk): (1, 1)}
    assert (standings(), pairs()) == recount_standings()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_participations_and_steps_written_at_once_keep_every_standing_and_never_deadlock():
    programs = ProgramFactory.create_batch(4)
    pathways = [Pathway.objects.create(name=f"Pathway {n}") for n in range(2)]
    PathwayStep.objects.create(pathway=pathways[0], program=programs[0], position=1)
    cohorts = [CohortFactory(program=program) for program in programs]
    students = StudentFactory.create_batch(6)

    def take_part(cohort, student):
        return lambda: join(cohort, student, status="completed" if student.pk % 2 else "enrolled")

    def add_step(pathway, program, position):
        return lambda: PathwayStep.objects.create(pathway=pathway, program=program, position=position)

    jobs = [take_part(cohort, student) for cohort in cohorts for student in students]
    jobs += [add_step(pathways[1], program, n) for n, program in enumerate(programs, start=1)]
    jobs += [add_step(pathways[0], program, n) for n, program in enumerate(programs[1:], start=2)]
    assert race(jobs) == {"ok": len(jobs)}
    assert (standings(), pairs()) == recount_standings()
    assert len(pairs()) == 2 * len(students)
