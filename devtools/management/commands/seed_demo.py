"""Fill an empty database with demo sites, people and students (never in production)."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from alumni.models import Alumnus
from alumni.services import check_in_record, next_check_in_date
from artworx import roles
from artworx.history import history_user
from programs.models import (
    Attendance,
    Certification,
    Cohort,
    Discipline,
    Mark,
    Participation,
    Pathway,
    PathwayStep,
    Placement,
    Program,
    Session,
)
from programs.services import (
    cohort_complete,
    cohort_save,
    credential_record,
    participation_create,
    placement_create,
    placement_hours_log,
    session_log_attendance,
)
from sites.calendar import calendars_for_sites
from sites.models import Closure, Partner, Site
from sites.services import site_save
from students.models import (
    Channel,
    Contract,
    Enrollment,
    ExitReason,
    Guardian,
    GuardianConsent,
    RecommendedOption,
    SignerRole,
    Student,
    SubjectArea,
    SupportProfile,
)
from students.services import (
    agreement_send,
    agreement_sign,
    contract_course_resolve,
    contract_open,
    contracts_expire_overdue,
    enrollment_create,
    enrollment_exit,
    enrollment_transfer,
    guardian_consent_set,
    referral_advance,
    referral_convert,
    referral_create,
    student_create,
)

User = get_user_model()

DEMO_PASSWORD = "artworx-demo-2026"  # noqa: S105 - documented demo login, refused when DEBUG is off
# The authenticator-app secret of the demo users whose role requires a second factor (admin, staff,
# counselor): documented in the README; `manage.py demo_code` prints the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - documented demo login

DEMO_USERS = [
    # username, first, last, role
    ("admin", "Alma", "Reyes", roles.ADMINISTRATOR),
    ("staff", "Marcus", "Hill", roles.PROGRAM_STAFF),
    ("counselor", "Rosa", "Delgado", roles.COUNSELOR),
    ("teacher", "Ana", "Rivera", roles.TEACHER),
    ("teacher2", "Kim", "Nguyen", roles.TEACHER),
    ("teacher3", "Darnell", "Johnson", roles.TEACHER),
    ("teacher4", "Lucia", "Morales", roles.TEACHER),
    ("teacher5", "Grace", "Washington", roles.TEACHER),
    ("artist", "Javier", "Soto", roles.TEACHING_ARTIST),
    ("artist2", "Maya", "Chen", roles.TEACHING_ARTIST),
    ("artist3", "Luis", "Ortega", roles.TEACHING_ARTIST),
]

# site name, address, capacity, host partner, teachers and how many students each carries
DEMO_SITES = [
    (
        "Eastside Storefront",
        "4811 E Cesar Chavez Ave, Los Angeles",
        50,
        "East LA Community Corporation",
        [("teacher", 25), ("teacher2", 15)],
    ),
    (
        "Boyle Heights Arts Storefront",
        "2020 E 1st St, Los Angeles",
        30,
        "Boyle Heights Youth Collective",
        [("teacher3", 12), ("teacher4", 12)],
    ),
    (
        "Watts Community Classroom",
        "10950 S Central Ave, Los Angeles",
        12,
        "Watts Neighborhood Center",
        [("teacher5", 12)],
    ),
]

FIRST_NAMES = [
    "Adriana",
    "Alejandro",
    "Brianna",
    "Carlos",
    "Daniela",
    "Diego",
    "Elena",
    "Emilio",
    "Fernanda",
    "Gabriel",
    "Isabella",
    "Jasmine",
    "Jayden",
    "Jesús",
    "Karla",
    "Kevin",
    "Leticia",
    "Luis",
    "Marisol",
    "Mateo",
    "Nayeli",
    "Omar",
    "Paola",
    "Ricardo",
    "Samantha",
    "Santiago",
    "Tiana",
    "Valeria",
    "Xavier",
    "Yesenia",
    "Andre",
    "Destiny",
    "Imani",
    "Malik",
    "Trinity",
    "DeShawn",
    "Mai",
    "Tuan",
    "Sofía",
    "Joaquín",
]
LAST_NAMES = [
    "García",
    "Hernández",
    "López",
    "Martínez",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
    "Cruz",
    "Morales",
    "Ortiz",
    "Gutiérrez",
    "Chávez",
    "Ramos",
    "Vargas",
    "Jackson",
    "Williams",
    "Brown",
    "Davis",
    "Tran",
    "Pham",
    "Castillo",
    "Mendoza",
    "Aguilar",
    "Jiménez",
]
NICKNAMES = ["Dani", "Leo", "Mari", "Gabe", "Bri", "Santi", "Xavi", "Nay", "Rico", "Val"]


class Command(BaseCommand):
    help = "Create demo sites, users and about 80 students. Refuses to run unless DEBUG is on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG=true: it creates users with a published password."
            )
        if User.objects.filter(username="staff").exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            with transaction.atomic():
                self.seed()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def seed(self) -> None:
        rng = random.Random(2026)  # the same demo every time
        users = self.create_users()
        # Each change is recorded as made by the demo person who would make it (staff unless said).
        with history_user(users["staff"]):
            self.seed_as_people(rng, users)
        spread_history(rng, date.today())

    def seed_as_people(self, rng: random.Random, users: dict[str, User]) -> None:
        organisation_closures()
        today = date.today()
        sites = []
        for name, address, capacity, partner_name, _teachers in DEMO_SITES:
            partner = Partner.objects.create(name=partner_name, kind=Partner.Kind.COMMUNITY, address=address)
            site = site_save(
                # Responsibility: the demo's program staff member leads every site, its counselor
                # counsels them, so both find their own items on their Today page.
                site=Site(
                    name=name,
                    address=address,
                    capacity=capacity,
                    partner=partner,
                    lead=users["staff"],
                    counselor=users["counselor"],
                ),
                teachers=[users[username] for username, _count in _teachers],
            )
            sites.append(site)
        Closure.objects.create(
            name="Community health fair", site=sites[0], starts_on=date(2027, 2, 5), ends_on=date(2027, 2, 5)
        )
        Partner.objects.create(name="The Music Center", kind=Partner.Kind.CULTURAL)
        Partner.objects.create(name="IATSE Local 33", kind=Partner.Kind.UNION)
        Partner.objects.create(name="East Los Angeles College", kind=Partner.Kind.COLLEGE)

        counter = iter(range(1, 1000))
        for site, (_name, _address, _capacity, _partner, teachers) in zip(sites, DEMO_SITES, strict=True):
            for username, count in teachers:
                for _ in range(count):
                    student = make_student(rng, next(counter))
                    enrollment_create(
                        student=student,
                        site=site,
                        teacher=users[username],
                        started_on=today - timedelta(days=rng.randint(10, 200)),
                    )
        # Two graduates, one transfer with history, and two youths not yet placed.
        for _ in range(2):
            student = make_student(rng, next(counter), grade=12, prior_credits=Decimal(205))
            enrollment = enrollment_create(
                student=student,
                site=sites[1],
                teacher=users["teacher3"],
                started_on=today - timedelta(days=400),
            )
            enrollment_exit(
                enrollment=enrollment,
                ended_on=today - timedelta(days=30),
                exit_reason=ExitReason.GRADUATED,
                notes="Diploma",
            )
        moved = Student.objects.filter(enrollments__teacher=users["teacher4"]).first()
        enrollment_transfer(
            enrollment=moved.enrollments.get(ended_on__isnull=True),
            site=sites[1],
            teacher=users["teacher3"],
            on=today - timedelta(days=5),
        )
        for _ in range(2):
            make_student(rng, next(counter))
        # Two who left six years ago: past the retention policy, for `manage.py anonymise --dry-run`.
        for _ in range(2):
            student = make_student(rng, next(counter))
            enrollment = enrollment_create(
                student=student,
                site=sites[1],
                teacher=users["teacher3"],
                started_on=today - timedelta(days=7 * 365),
            )
            enrollment_exit(
                enrollment=enrollment, ended_on=today - timedelta(days=6 * 365), exit_reason=ExitReason.MOVED
            )
        seed_programs(rng, today, sites)  # first: its pathway graduates leave before contracts are drawn
        seed_contracts(rng, today)
        with history_user(users["counselor"]):
            seed_alumni(rng, today, sites)
            seed_referrals(today, sites)
        seed_career_pathways(today)

    def create_users(self) -> dict[str, User]:
        users = {}
        for username, first, last, role in DEMO_USERS:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@artworx.example",
            )
            user.groups.add(Group.objects.get(name=role))
            if role in settings.ARTWORX_MFA_REQUIRED_ROLES:
                TOTP.activate(user, DEMO_TOTP_SECRET)
                RecoveryCodes.activate(user)
            users[username] = user
        return users

    def print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {first} {last} — {role}")
        self.stdout.write(
            "admin, staff and counselor also give an authenticator code: add the secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app, or run `manage.py demo_code` for the current one."
        )


def spread_history(rng: random.Random, today: date) -> None:
    """Date the demo's history as if it had been written over the past months, not in the last minute.

    Every change was recorded while seeding; each is moved to the day its object says it happened (a
    roll to its session's day, an enrollment to its start, an exit to its end) at a working hour.
    """
    session_days = dict(Session.objects.values_list("pk", "date"))
    now = timezone.now()
    for model in apps.get_models():
        if not getattr(model._meta, "simple_history_manager_attribute", None):
            continue
        records = list(model.history.model.objects.all())
        for record in records:
            made = today - timedelta(days=rng.randint(90, 150))  # set up before the term, when nothing says
            start = _natural_day(record, HAPPENED_ON, session_days) or made
            end = _natural_day(record, ENDED_ON, session_days)
            day = end if record.history_type == "~" and end and end >= start else start
            rolls = model in (Session, Attendance)  # logged after the session, in the evening
            if record.history_type == "~" and day == start and not rolls:
                day += timedelta(days=rng.randint(0, 3))
            hour = rng.randint(17, 19) if rolls else rng.randint(8, 16)
            at = datetime.combine(day, time(hour, rng.randint(0, 59)), timezone.get_current_timezone())
            record.history_date = min(at, now)
        model.history.model.objects.bulk_update(records, ["history_date"], batch_size=1000)


# The fields that tell when an object began, then when it changed or ended, in the order looked for.
HAPPENED_ON = ("date", "started_on", "joined_on", "received_on", "term_starts_on", "earned_on", "starts_on")
ENDED_ON = ("ended_on", "closed_on", "resolved_on", "last_step_on", "date")


def _natural_day(record, fields: tuple[str, ...], session_days: dict) -> date | None:
    for name in fields:
        value = getattr(record, name, None)
        if isinstance(value, date):
            return value
    return session_days.get(getattr(record, "session_id", None))


def organisation_closures() -> None:
    """The district calendar's holidays and breaks for the school year."""
    for name, first, last in [
        ("Veterans Day", date(2026, 11, 11), date(2026, 11, 11)),
        ("Thanksgiving break", date(2026, 11, 26), date(2026, 11, 27)),
        ("Winter break", date(2026, 12, 21), date(2027, 1, 1)),
        ("Martin Luther King Jr. Day", date(2027, 1, 18), date(2027, 1, 18)),
        ("Presidents' Day", date(2027, 2, 15), date(2027, 2, 15)),
        ("Spring break", date(2027, 3, 29), date(2027, 4, 2)),
        ("Memorial Day", date(2027, 5, 31), date(2027, 5, 31)),
    ]:
        Closure.objects.create(name=name, starts_on=first, ends_on=last)


def make_student(
    rng: random.Random, n: int, grade: int | None = None, prior_credits: Decimal | None = None
) -> Student:
    """One demo student with a guardian and, now and then, support flags."""
    grade = grade or rng.choice([9, 10, 10, 11, 11, 11, 12, 12, 12, 12])
    born = date.today().replace(year=date.today().year - (grade + 5)) - timedelta(days=rng.randint(0, 600))
    # Credits behind the LAUSD benchmark for the grade: these students are credit-deficient.
    benchmark = {9: 0, 10: 50, 11: 105, 12: 160}[grade]
    # No two demo students share a name: a roster with two "Xavi Ramos" confuses whoever reads it.
    first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    while Student.objects.filter(first_name=first_name, last_name=last_name).exists():
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    student = student_create(
        first_name=first_name,
        last_name=last_name,
        preferred_name=rng.choice(NICKNAMES) if rng.random() < 0.2 else "",
        date_of_birth=born,
        district_id=f"10{n:06d}",
        grade=grade,
        language=rng.choice(["en", "en", "es"]),
        phone=f"(323) 555-{n:04d}",
        prior_credits=prior_credits
        if prior_credits is not None
        else Decimal(max(0, benchmark - rng.randint(10, 40))),
    )
    guardian = Guardian.objects.create(
        student=student,
        name=f"{rng.choice(FIRST_NAMES)} {student.last_name}",
        relationship=rng.choice(list(Guardian.Relationship.values)[:4]),
        phone=f"(213) 555-{n:04d}",
        email=f"family{n}@example.org",
        language=rng.choice(["es", "es", "en"]),
        is_primary=True,
    )
    if rng.random() < 0.7:
        for channel in (Channel.SMS, Channel.EMAIL):
            guardian_consent_set(
                guardian=guardian, channel=channel, granted=True, method=GuardianConsent.Method.PAPER
            )
    profile = SupportProfile.objects.get(student=student)
    for flag in SupportProfile.FLAGS:
        setattr(profile, flag, rng.random() < 0.12)
    profile.save()  # save(), not update(): the history keeps the change like any other

    return student


COURSES = [
    (SubjectArea.ENGLISH, "English 11A"),
    (SubjectArea.MATH, "Algebra 1B"),
    (SubjectArea.HISTORY, "U.S. History A"),
    (SubjectArea.SCIENCE, "Biology A"),
    (SubjectArea.ARTS, "Photography 1"),
    (SubjectArea.HEALTH, "Health"),
    (SubjectArea.WORLD_LANGUAGE, "Spanish 2A"),
]


CREDITS = [Decimal("2.5"), Decimal(5), Decimal(5), Decimal(10)]


def seed_contracts(rng: random.Random, today: date) -> None:
    """Contracts in every state: on track, behind, at risk, completed and expired."""
    enrollments = list(
        Enrollment.objects.open().select_related("student", "teacher").order_by("started_on", "pk")
    )
    calendars = calendars_for_sites({e.site_id for e in enrollments})
    for n, enrollment in enumerate(enrollments[:60]):
        with history_user(enrollment.teacher):  # a contract is the teacher's work
            seed_contract(rng, n, enrollment, calendars[enrollment.site_id], today)
    contracts_expire_overdue(today=today)
    seed_agreements(rng, enrollments[60:66])


def seed_contract(rng: random.Random, n: int, enrollment: Enrollment, calendar, today: date) -> None:
    """The `n`-th demo contract: an earlier one finished or expired, else one in a pace band."""
    teacher = enrollment.teacher
    age = calendar.count(enrollment.started_on, today)
    # Courseloads differ: two to four courses of 2.5, 5 or 10 credits, as a counselor plans them.
    courses = [
        {"subject_area": area, "title": title, "credits": rng.choice(CREDITS)}
        for area, title in rng.sample(COURSES, rng.choice([2, 3, 3, 4]))
    ]
    if age > 90 and n % 3 == 0:
        # An earlier contract, finished on time (within the dashboard's last 90 days) or left to expire.
        start = (
            enrollment.started_on
            if n % 2 == 0
            else max(enrollment.started_on, days_back(calendar, today, 70))
        )
        contract = signed_on_paper(
            contract_open(student=enrollment.student, started_on=start, courses=courses)
        )
        all_courses = list(contract.courses.all())
        finished = all_courses if n % 2 else all_courses[:-1]
        for day, course in enumerate(finished, start=20):
            contract_course_resolve(
                course=course,
                status="completed",
                grade=rng.choice("ABC"),
                resolved_on=calendar.nth_day(start, day),
                by=teacher,
            )
        return
    # Land each contract in a pace band by choosing courses done and days elapsed:
    # on track, behind (10–25 points), at risk (more than 25 points); and a few near their
    # due date, for the reminders (`manage.py send_reminders`).
    done, elapsed_days = [(2, 54), (1, 40), (0, 36), (1, 26), (2, 76), (2, 71)][n % 6]
    start = max(enrollment.started_on, days_back(calendar, today, elapsed_days))
    contract = signed_on_paper(contract_open(student=enrollment.student, started_on=start, courses=courses))
    for course in list(contract.courses.all())[: min(done, len(courses) - 1)]:
        contract_course_resolve(
            course=course,
            status="completed",
            grade=rng.choice("ABCD"),
            resolved_on=min(today, calendar.nth_day(start, 5)),
            by=teacher,
        )


def signed_on_paper(contract: Contract) -> Contract:
    """Make a just-opened demo contract one that began before electronic signatures: its agreement
    recorded as signed on paper, as migration 0010 records the real ones, and active from its start.

    Demo history only: a real contract starts through `agreement_sign`, never like this.
    """
    now = timezone.now()
    contract.agreement_versions.filter(status="draft").update(status="signed", on_paper=True, signed_at=now)
    contract.status = Contract.Status.ACTIVE
    contract.save(update_fields=["status", "updated_at"])
    return contract


def seed_agreements(rng: random.Random, enrollments: list[Enrollment]) -> None:
    """Contracts opened today whose agreements are in each state: a draft, sent and unsigned, sent and
    signed by the student only, and signed by everyone through the services (active from today)."""
    today = timezone.localdate()
    for n, enrollment in enumerate(enrollments):
        student = enrollment.student
        if student.contracts.open().exists():
            continue
        courses = [
            {"subject_area": area, "title": title, "credits": rng.choice(CREDITS)}
            for area, title in rng.sample(COURSES, 2)
        ]
        contract = contract_open(student=student, started_on=today, courses=courses)
        if n % 4 == 0:
            continue  # a draft the teacher has not sent yet
        version = agreement_send(contract=contract, by=contract.teacher)
        if n % 4 == 1:
            continue  # waiting for everyone
        agreement_sign(
            version=version,
            role=SignerRole.STUDENT,
            typed_name=student.display_name,
            language=student.language,
            ip_address="192.0.2.10",
        )
        if n % 4 == 2:
            continue  # the student signed; the guardian and the teacher have not
        guardian = student.guardians.first()
        if version.requires_guardian and guardian is not None:
            agreement_sign(
                version=version,
                role=SignerRole.GUARDIAN,
                typed_name=guardian.name,
                language=guardian.language,
                ip_address="192.0.2.11",
                guardian=guardian,
            )
        agreement_sign(
            version=version,
            role=SignerRole.TEACHER,
            typed_name=str(contract.teacher),
            language="en",
            ip_address="192.0.2.12",
            user=contract.teacher,
        )


def days_back(calendar, today: date, days: int) -> date:
    """The instructional day that makes `today` the `days`-th instructional day of a contract."""
    day, counted = today, 0
    while True:
        if calendar.is_instructional(day):
            counted += 1
            if counted == days:
                return day
        day -= timedelta(days=1)


def seed_programs(rng: random.Random, today: date, sites: list[Site]) -> None:
    """Programs at three levels, cohorts at the sites and at a partner venue, weeks of attendance."""
    staff = User.objects.get(username="staff")
    artists = {u.username: u for u in User.objects.filter(username__startswith="artist")}
    photo1 = Program.objects.create(
        name="Photography 1",
        discipline=Discipline.PHOTOGRAPHY,
        level=1,
        description="Seeing, framing and light with phones and DSLRs.",
    )
    photo2 = Program.objects.create(
        name="Photography 2",
        discipline=Discipline.PHOTOGRAPHY,
        level=2,
        prerequisite=photo1,
        description="The photo essay; studio lighting.",
    )
    Program.objects.create(
        name="Photography 3",
        discipline=Discipline.PHOTOGRAPHY,
        level=3,
        prerequisite=photo2,
        description="Portfolio and exhibition.",
    )
    stage1 = Program.objects.create(
        name="Stagecraft 1",
        discipline=Discipline.STAGECRAFT,
        level=1,
        description="Safety, tools, set construction.",
    )
    stage2 = Program.objects.create(
        name="Stagecraft 2",
        discipline=Discipline.STAGECRAFT,
        level=2,
        prerequisite=stage1,
        description="Lighting and sound for live shows.",
    )
    music1 = Program.objects.create(
        name="Music Production 1",
        discipline=Discipline.MUSIC,
        level=1,
        description="Beats, recording and mixing.",
    )
    film1 = Program.objects.create(
        name="Film / Video 1",
        discipline=Discipline.FILM_VIDEO,
        level=1,
        description="Shooting and editing a short documentary.",
    )
    for name, steps in [
        ("Stagecraft Technical Theatre", [stage1, stage2]),
        ("Video Production", [photo1, film1]),
    ]:
        pathway = Pathway.objects.create(name=name)
        PathwayStep.objects.bulk_create(
            PathwayStep(pathway=pathway, program=p, position=n) for n, p in enumerate(steps, start=1)
        )
    venue = Partner.objects.get(name="The Music Center")
    last_term = (today - timedelta(days=200), today - timedelta(days=80))
    this_term = (today - timedelta(days=45), today + timedelta(days=60))

    def open_cohort(program, site, artist_names, days, term, start_hour=15, **place):
        cohort = Cohort(
            program=program,
            site=site,
            term_starts_on=term[0],
            term_ends_on=term[1],
            meeting_days=days,
            starts_at=time(start_hour, 30),
            duration_minutes=90,
            **place,
        )
        return cohort_save(cohort=cohort, teaching_artists=[artists[n] for n in artist_names])

    def roster(site, count):
        return list(
            Student.objects.filter(enrollments__site=site, enrollments__ended_on__isnull=True)[:count]
        )

    # Last term's Photography 1 completed: its students may go on to Photography 2 at the venue.
    past = open_cohort(photo1, sites[0], ["artist"], "0,2", last_term)
    alumni = roster(sites[0], 12)
    for student in alumni:
        participation_create(cohort=past, student=student, joined_on=last_term[0], by=staff)
    log_attendance(rng, past, today, keep_unlogged=0)
    cohort_complete(cohort=past, on=last_term[1])
    # Its last four also took Film / Video 1 alongside: they finished the Video Production pathway,
    # and two of them have since graduated.
    film = open_cohort(film1, sites[0], ["artist3"], "4", last_term, start_hour=13)
    for student in alumni[8:]:
        participation_create(cohort=film, student=student, joined_on=last_term[0], by=staff)
    log_attendance(rng, film, today, keep_unlogged=0)
    cohort_complete(cohort=film, on=last_term[1])
    for student in alumni[10:]:
        enrollment = student.enrollments.get(ended_on__isnull=True)
        with history_user(enrollment.teacher):
            enrollment_exit(
                enrollment=enrollment,
                ended_on=max(enrollment.started_on, today - timedelta(days=12)),
                exit_reason=ExitReason.GRADUATED,
                diploma="diploma",
                notes="Walked at the district ceremony",
            )

    current = [
        (open_cohort(photo1, sites[0], ["artist"], "0,2", this_term), roster(sites[0], 40)[12:30]),
        (open_cohort(stage1, sites[1], ["artist2"], "1,3", this_term), roster(sites[1], 18)),
        (
            open_cohort(music1, sites[2], ["artist3", "artist"], "4", this_term, start_hour=13),
            roster(sites[2], 10),
        ),
        (
            open_cohort(photo2, None, ["artist", "artist2"], "1,3", this_term, start_hour=16, venue=venue),
            alumni[:8] + roster(sites[1], 20)[18:20],
        ),
    ]
    for cohort, students in current:
        for student in students:
            waived = (
                ""
                if cohort.program != photo2 or student in alumni
                else "Strong portfolio from another program"
            )
            participation_create(
                cohort=cohort, student=student, joined_on=this_term[0], by=staff, override_reason=waived
            )
        log_attendance(rng, cohort, today, keep_unlogged=2 if cohort.program == photo1 else 1)


def log_attendance(rng: random.Random, cohort, today: date, keep_unlogged: int) -> None:
    """Log every past session but the last few, with realistic marks and one chronically absent student.

    Each roll is logged by one of the cohort's teaching artists, as it is on a school day."""
    artists = list(cohort.teaching_artists.order_by("username"))
    now = timezone.localtime()
    # Only sessions that have begun are logged (the log refuses the others), whatever the hour.
    sessions = [
        session
        for session in cohort.sessions.filter(date__lte=today, status=Session.Status.SCHEDULED).order_by(
            "date", "starts_at"
        )
        if (session.date, session.starts_at) <= (now.date(), now.time())
    ]
    participations = list(Participation.objects.filter(cohort=cohort))
    struggling = participations[0].pk if participations else None
    logged = sessions[: len(sessions) - keep_unlogged]
    for n, session in enumerate(logged):
        marks = {}
        for participation in participations:
            absent = 0.45 if participation.pk == struggling else 0.025
            # The struggling student has also missed the last three sessions in a row.
            if participation.pk == struggling and n >= len(logged) - 3:
                absent = 1
            roll = rng.random()
            if roll < absent:
                marks[participation.pk] = rng.choice([Mark.EXCUSED, Mark.UNEXCUSED])
            elif roll < absent + 0.08:
                marks[participation.pk] = rng.choice([Mark.TARDY, Mark.LEFT_EARLY])
            else:
                marks[participation.pk] = Mark.PRESENT
        topic = rng.choice(TOPICS[cohort.program.discipline])
        artist = artists[n % len(artists)]
        with history_user(artist):
            session_log_attendance(session=session, marks=marks, topic=topic, by=artist)


# What a session of each discipline is about: a music class is not logged with photography topics.
TOPICS = {
    Discipline.PHOTOGRAPHY: [
        "Composition and the rule of thirds",
        "Natural light portraits",
        "Editing workshop",
        "Critique circle",
        "Field trip: Grand Park",
    ],
    Discipline.STAGECRAFT: [
        "Set building safety",
        "Lighting board basics",
        "Rigging and fly systems",
        "Running crew cue sheets",
        "Field trip: a load-in at The Music Center",
    ],
    Discipline.FILM_VIDEO: [
        "Shot lists and storyboards",
        "Interview lighting and sound",
        "Editing in DaVinci Resolve",
        "B-roll walk: Mariachi Plaza",
        "Rough-cut screening and notes",
    ],
    Discipline.MUSIC: [
        "Beat making",
        "Mixing vocals",
        "Recording a live band",
        "Song structure and arrangement",
        "Listening session and critique",
    ],
}


def seed_alumni(rng: random.Random, today: date, sites: list[Site]) -> None:
    """Graduates of three classes, each with a history of check-ins, some not reached."""
    staff = list(User.objects.filter(username__in=["staff", "counselor"]))
    teacher = sites[0].teachers.first()
    outcomes = [
        "college",
        "college",
        "creative_job",
        "creative_job",
        "other_job",
        "military",
        "trade",
        "seeking",
    ]
    counter = iter(range(900, 1000))
    for years_ago, count in [(2, 8), (1, 10), (0, 6)]:
        graduated_on = date(today.year - years_ago, 6, 12)
        if graduated_on > today:
            graduated_on = date(today.year - years_ago - 1, 6, 12)
        for n in range(count):
            student = make_student(rng, next(counter), grade=12, prior_credits=Decimal(210))
            enrollment = enrollment_create(
                student=student, site=sites[0], teacher=teacher, started_on=graduated_on - timedelta(days=200)
            )
            enrollment_exit(
                enrollment=enrollment,
                ended_on=graduated_on,
                exit_reason=ExitReason.GRADUATED,
                diploma="diploma" if n % 4 else "hiset",
                notes="College applications in progress",
            )
            alumnus = Alumnus.objects.get(student=student)
            outcome = outcomes[(n + years_ago) % len(outcomes)]
            day = graduated_on
            # Monthly calls in the first year, then quarterly; one graduate in six stops answering.
            while True:
                day = next_check_in_date(graduated_on=graduated_on, after=day) + timedelta(
                    days=rng.randint(-3, 6)
                )
                if day > today - timedelta(days=rng.randint(0, 40)):
                    break
                reached = not (n % 6 == 5 and day > graduated_on + timedelta(days=120))
                check_in_record(
                    alumnus=alumnus,
                    date=day,
                    staff=staff[n % len(staff)],
                    method=rng.choice(["call", "text", "email", "in_person", "event"]),
                    reached=reached,
                    outcome=outcome if reached else "unknown",
                    notes="Doing well." if reached else "No answer.",
                )


BGC, YOC = "Boys & Girls Club of East LA", "Youth Opportunity Center Watts"
# first, last, youth centre, days ago received, funnel steps to take (days after receipt)
DEMO_REFERRALS = [
    ("Yesenia", "Pérez", BGC, 1, []),
    ("Tomás", "Aguilar", YOC, 6, []),  # no contact yet: reminds its counselor
    ("Keisha", "Brown", YOC, 12, [("contacted", 2)]),
    ("Oscar", "Villalobos", BGC, 20, [("contacted", 1), ("assessed", 6)]),
    ("Ariana", "Cortez", BGC, 40, [("contacted", 3), ("declined", 9)]),
    ("DeShawn", "Carter", YOC, 35, [("unreachable", 8)]),
    (
        "Marisol",
        "Ibarra",
        BGC,
        50,
        [("contacted", 2), ("assessed", 5), ("enroll", 9)],
    ),
    (
        "Andre",
        "Lewis",
        YOC,
        30,
        [("contacted", 1), ("assessed", 4), ("enroll", 7)],
    ),
    # Watts is full: these two convert onto its waitlist.
    (
        "Brenda",
        "Solís",
        YOC,
        25,
        [("contacted", 1), ("assessed", 3), ("enroll", 5)],
    ),
    (
        "Jamal",
        "Price",
        YOC,
        14,
        [("contacted", 2), ("assessed", 4), ("enroll", 6)],
    ),
]


def seed_referrals(today: date, sites: list[Site]) -> None:
    """Referrals in every funnel stage, two of them waiting for a seat at the full Watts site."""
    counselor = User.objects.get(username="counselor")
    for name, kind in [
        (BGC, Partner.Kind.YOUTH_CENTRE),
        (YOC, Partner.Kind.YOUTH_CENTRE),
    ]:
        Partner.objects.create(name=name, kind=kind)
    eastside, watts = sites[0], sites[2]
    for n, (first, last, source, days_ago, steps) in enumerate(DEMO_REFERRALS):
        received = today - timedelta(days=days_ago)
        referral = referral_create(
            source=Partner.objects.get(name=source),
            first_name=first,
            last_name=last,
            date_of_birth=date(today.year - 17, 1 + n, 10 + n),
            phone=f"(323) 555-01{n:02d}",
            last_school="Garfield High School" if n % 2 else "Jordan High School",
            out_of_school=n % 3 != 0,
            credits_held={"english": 20 + 5 * n, "math": 10 + 2 * n, "history": 15},
            recommended_option=RecommendedOption.THIS_PROGRAM,
            counselor=counselor,
            received_on=received,
        )
        for step, after in steps:
            if step != "enroll":
                referral_advance(referral=referral, status=step, on=received + timedelta(days=after))
                continue
            site = watts if last in ("Solís", "Price") else eastside
            # Eastside's teacher with room: the capacity service picks nobody for us.
            teacher = User.objects.get(username="teacher5" if site == watts else "teacher2")
            referral_convert(
                referral=referral, site=site, teacher=teacher, on=received + timedelta(days=after), grade=11
            )


# pathway, certification name, issuer
DEMO_CERTIFICATIONS = [
    ("Stagecraft Technical Theatre", "OSHA 10 Entertainment", "OSHA Outreach Training Program"),
    ("Stagecraft Technical Theatre", "ETCP Entertainment Electrician (prep)", "ESTA"),
    ("Video Production", "Adobe Certified Professional: Premiere Pro", "Adobe"),
    ("Video Production", "DaVinci Resolve User", "Blackmagic Design"),
]


def seed_career_pathways(today: date) -> None:
    """Certifications for both CTE pathways, credentials earned, placements with signed-off hours."""
    staff = User.objects.get(username="staff")
    union = Partner.objects.get(name="IATSE Local 33")
    college = Partner.objects.get(name="East Los Angeles College")
    studio = Partner.objects.create(name="Boyle Heights Media Studio", kind=Partner.Kind.EMPLOYER)
    for pathway_name, name, issuer in DEMO_CERTIFICATIONS:
        certification = Certification.objects.create(name=name, issuer=issuer)
        certification.pathways.add(Pathway.objects.get(name=pathway_name))
    for pathway in Pathway.objects.filter(name__in={p for p, _n, _i in DEMO_CERTIFICATIONS}):
        students = list(
            Student.objects.filter(participations__cohort__program__pathways=pathway)
            .distinct()
            .order_by("pk")
        )
        certifications = list(pathway.certifications.order_by("name"))
        for n, student in enumerate(students):
            if n % 2 == 0:  # about half of each pathway's students hold a certification
                credential_record(
                    student=student,
                    certification=certifications[n % len(certifications)],
                    earned_on=today - timedelta(days=20 + n),
                    evidence=f"Certificate no. {2026_1000 + student.pk}",
                    expires_on=today + timedelta(days=3 * 365),
                )
        for n, student in enumerate(students[:3]):
            kind, partner, units = [
                (Placement.Kind.INTERNSHIP, union if "Stagecraft" in pathway.name else studio, None),
                (Placement.Kind.DUAL_ENROLLMENT, college, Decimal(3)),
                (Placement.Kind.MASTER_CLASS, union if "Stagecraft" in pathway.name else studio, None),
            ][n]
            placement = placement_create(
                student=student,
                partner=partner,
                kind=kind,
                title=f"{pathway.name}: {Placement.Kind(kind).label}",
                supervisor_name="Pat Moreno" if partner != college else "Prof. Dana Lee",
                starts_on=today - timedelta(days=30),
                planned_hours=Decimal(48 if units else 40),
                college_units=units,
            )
            for week in range(3):
                placement_hours_log(
                    placement=placement,
                    on=today - timedelta(days=28 - 7 * week),
                    hours=Decimal(4),
                    signed_off_by=staff if week % 2 == 0 else None,
                    supervisor_approval="" if week % 2 == 0 else "Timesheet signed by the supervisor",
                )
