"""A county-sized network for benchmarks, written with bulk inserts and checked against the rules.

Scale 1 is Los Angeles County's alternative-education network: 120 storefront sites at or near
capacity (about 6,000 active students, 240 teachers), 150 teaching artists, 480 cohorts with about
20,000 logged sessions and 400,000 attendance marks, 6,000 contracts with 30,000 courses, 10,000
alumni with 40,000 check-ins and 8,000 referrals over a year. Every object gets its creation
history row, as if it had been saved through the services.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt as encrypt_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from alumni.models import Alumnus, CheckIn, Outcome
from artworx import roles
from programs.models import (
    Attendance,
    Certification,
    Cohort,
    Credential,
    Discipline,
    Participation,
    Pathway,
    PathwayStep,
    Program,
    Session,
)
from sites.calendar import InstructionalCalendar
from sites.models import Closure, Partner, Site
from students.models import (
    Assignment,
    Contract,
    ContractCourse,
    Enrollment,
    ExitReason,
    Guardian,
    RecommendedOption,
    Referral,
    Student,
    SubjectArea,
    SupportProfile,
    WaitlistEntry,
)

User = get_user_model()

BENCH_PASSWORD = "artworx-bench-2026"  # noqa: S105 - benchmark data only, never a real account
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - benchmark data only
BATCH = 5_000

# Scale-1 counts, each multiplied by --scale.
SITES = 120
TEACHING_ARTISTS = 150
PROGRAM_STAFF = 40
COUNSELORS = 20
ALUMNI = 10_000
REFERRALS = 8_000
PARTNERS = 30

FIRST = [
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
]
FIRST += [
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
    "Rafael",
    "Sofía",
    "Tomás",
]
LAST = [
    "Aguilar",
    "Alvarez",
    "Castillo",
    "Chávez",
    "Cruz",
    "Díaz",
    "Flores",
    "García",
    "Gómez",
    "Gutiérrez",
    "Hernández",
    "Jiménez",
]
LAST += [
    "López",
    "Martínez",
    "Mendoza",
    "Morales",
    "Ortiz",
    "Pérez",
    "Ramírez",
    "Reyes",
    "Rodríguez",
    "Ruiz",
    "Sánchez",
    "Torres",
]
COURSES = [
    (SubjectArea.ENGLISH, "English 11A"),
    (SubjectArea.MATH, "Algebra 1B"),
    (SubjectArea.HISTORY, "U.S. History A"),
    (SubjectArea.SCIENCE, "Biology B"),
    (SubjectArea.ARTS, "Photography A"),
    (SubjectArea.ELECTIVE, "Digital Media"),
    (SubjectArea.HEALTH, "Health"),
]


HISTORY_MODELS = [
    Partner, Site, Closure, Student, SupportProfile, Guardian, Enrollment, Contract, ContractCourse,
    Program, Pathway, Certification, Cohort, Participation, Session, Attendance, Credential, Alumnus,
    CheckIn, Referral, WaitlistEntry,
]  # fmt: skip


def scaled(count: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(count * scale))


def save(model, objs: list) -> list:
    """Insert in batches; the creation history rows are written afterwards, set-based."""
    return model.objects.bulk_create(objs, batch_size=BATCH) if objs else objs


def record_creation_history(model, *, at: datetime) -> int:
    """One "+" history row for every row of `model` that has none: a single INSERT … SELECT."""
    historical = model.history.model
    own = [f.column for f in model._meta.concrete_fields]
    table, history_table = model._meta.db_table, historical._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in own) + ", history_date, history_type, history_change_reason"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history_table)} ({columns}) "  # noqa: S608 - names come from the models
            f"SELECT {', '.join('t.' + quote(c) for c in own)}, %s, '+', NULL FROM {quote(table)} t "
            f"WHERE NOT EXISTS (SELECT 1 FROM {quote(history_table)} h WHERE h.id = t.id)",
            [at],
        )
        return cursor.rowcount


def insert_attendance(cohort_ids: list[int]) -> int:
    """A mark for every participant of every logged session, spread like real attendance, in one statement.

    Each mark is dated when its session was logged. Most students come: 97 % of their marks are
    present, tardy or left early. About one in seven struggles and misses 28 % of sessions, so
    chronic absence and runs of absences appear as they do in the programs. The mark comes from a
    hash of the ids, so every run and database gets the same.
    """
    ids = ", ".join(str(int(pk)) for pk in cohort_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO programs_attendance (created_at, updated_at, session_id, participation_id, mark) "  # noqa: S608 - ids are integers
            "SELECT logged_at, logged_at, sid, pid, CASE WHEN risky THEN"
            "  CASE WHEN h < 62 THEN 'P' WHEN h < 68 THEN 'T' WHEN h < 72 THEN 'LE' WHEN h < 84 THEN 'E'"
            "  ELSE 'U' END"
            " ELSE"
            "  CASE WHEN h < 93 THEN 'P' WHEN h < 96 THEN 'T' WHEN h < 97 THEN 'LE' WHEN h < 98 THEN 'E'"
            "  ELSE 'U' END"
            " END FROM ("
            "  SELECT s.id AS sid, s.logged_at, p.id AS pid, (s.id * 7919 + p.id * 104729) %% 100 AS h,"
            "         (p.id * 37) %% 100 < 15 AS risky"
            "  FROM programs_session s JOIN programs_participation p ON p.cohort_id = s.cohort_id"
            f"  WHERE s.status = 'logged' AND s.cohort_id IN ({ids})"
            ") marks ORDER BY sid, pid",
            [],  # no values, but the %% in the statement still need the parameter pass
        )
        return cursor.rowcount


@dataclass
class County:
    """Builds the network; `counts` reports what was written."""

    scale: float
    seed: int = 7
    name: str = "Bench"  # prefixes every unique name, so two networks can share a database (tests)
    today: date = field(default_factory=timezone.localdate)
    counts: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.calendar = InstructionalCalendar(self.org_closures())
        self.serial = 0

    # -- helpers -------------------------------------------------------------------------------

    def org_closures(self) -> list[tuple[date, date]]:
        """Winter break, spring break and summer for the year behind and the term ahead."""
        ranges = []
        for year in (self.today.year - 1, self.today.year):
            ranges += [
                (date(year, 3, 30), date(year, 4, 3)),
                (date(year, 6, 13), date(year, 8, 14)),
                (date(year, 11, 25), date(year, 11, 27)),
                (date(year, 12, 21), date(year + 1, 1, 1)),
            ]
        return ranges

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST), self.rng.choice(LAST)

    def district_id(self) -> str:
        self.serial += 1
        return f"{self.name[0]}{self.serial:08d}"

    def instructional_days_back(self, count: int) -> date:
        """The instructional day `count` days before today."""
        day = self.today
        while count:
            day -= timedelta(days=1)
            if self.calendar.is_instructional(day):
                count -= 1
        return day

    def students(self, n: int, language_es: float = 0.4) -> list[Student]:
        rows = []
        for _ in range(n):
            first, last = self.person()
            rows.append(
                Student(
                    first_name=first,
                    last_name=last,
                    date_of_birth=self.today - timedelta(days=self.rng.randint(15 * 365, 20 * 365)),
                    district_id=self.district_id(),
                    grade=self.rng.choice([10, 11, 11, 12, 12, 12]),
                    language="es" if self.rng.random() < language_es else "en",
                    phone=f"323-555-{self.rng.randint(0, 9999):04d}",
                    email=f"{first.lower()}.{self.serial}@student.example" if self.rng.random() < 0.3 else "",
                    prior_credits=Decimal(self.rng.randrange(60, 180, 5)),
                )
            )
        return save(Student, rows)

    # -- the network ---------------------------------------------------------------------------

    def build(self) -> dict:
        self.people()
        self.sites_and_rosters()
        self.contracts()
        self.programs()
        self.cohorts_and_attendance()
        self.alumni()
        self.referrals()
        self.waitlists()
        at = timezone.now()
        for model in HISTORY_MODELS:
            record_creation_history(model, at=at)
        return self.counts

    def people(self) -> None:
        password = make_password(BENCH_PASSWORD)
        n_sites = scaled(SITES, self.scale, 2)

        def users(prefix: str, n: int, role: str) -> list:
            rows = User.objects.bulk_create(
                User(
                    username=f"{self.name.lower()}-{prefix}-{i:04d}",
                    first_name=self.person()[0],
                    last_name=self.person()[1],
                    email=f"{prefix}{i}@bench.example",
                    password=password,
                    language="es" if i % 3 == 0 else "en",
                )
                for i in range(n)
            )
            group = Group.objects.get(name=role)
            User.groups.through.objects.bulk_create(
                User.groups.through(user_id=u.pk, group_id=group.pk) for u in rows
            )
            if role in settings.ARTWORX_MFA_REQUIRED_ROLES:
                # Their roles reach no page without an authenticator app (artworx.signin.middleware).
                secret = encrypt_secret(BENCH_TOTP_SECRET)
                Authenticator.objects.bulk_create(
                    Authenticator(user_id=u.pk, type=Authenticator.Type.TOTP, data={"secret": secret})
                    for u in rows
                )
            return rows

        self.teachers = users("teacher", 2 * n_sites, roles.TEACHER)
        self.artists = users("artist", scaled(TEACHING_ARTISTS, self.scale, 2), roles.TEACHING_ARTIST)
        self.staff = users("staff", scaled(PROGRAM_STAFF, self.scale, 2), roles.PROGRAM_STAFF)
        self.counselors = users("counselor", scaled(COUNSELORS, self.scale, 1), roles.COUNSELOR)
        self.admins = users("admin", 1, roles.ADMINISTRATOR)
        self.counts["users"] = User.objects.filter(username__startswith=f"{self.name.lower()}-").count()

    def sites_and_rosters(self) -> None:
        n_sites = scaled(SITES, self.scale, 2)
        kinds = [
            Partner.Kind.COMMUNITY,
            Partner.Kind.YOUTH_CENTRE,
            Partner.Kind.CULTURAL,
            Partner.Kind.DISTRICT,
        ]
        self.partners = save(
            Partner,
            [
                Partner(name=f"{self.name} partner {i:03d}", kind=kinds[i % len(kinds)])
                for i in range(scaled(PARTNERS, self.scale, 4))
            ],
        )
        self.sites = save(
            Site,
            [
                Site(
                    name=f"{self.name} site {i:03d}",
                    capacity=50,
                    partner=self.partners[i % len(self.partners)],
                    address=f"{100 + i} E Cesar Chavez Ave, Los Angeles",
                    # Responsibility: each site's lead and counselor, spread over the staff.
                    lead=self.staff[i % len(self.staff)],
                    counselor=self.counselors[i % len(self.counselors)],
                )
                for i in range(n_sites)
            ],
        )
        Site.teachers.through.objects.bulk_create(
            Site.teachers.through(site_id=site.pk, user_id=self.teachers[2 * i + k].pk)
            for i, site in enumerate(self.sites)
            for k in (0, 1)
        )
        save(
            Closure,
            [
                Closure(name=f"{self.name} closure {first:%b %Y}", starts_on=first, ends_on=last)
                for first, last in self.org_closures()
            ],
        )
        # Sites run at or near capacity: 45 to 50 students, split so no teacher carries more than 25.
        self.roster: dict[int, list[Enrollment]] = {}
        enrollments = []
        sizes = [self.rng.randint(45, 50) for _ in self.sites]
        students = self.students(sum(sizes))
        it = iter(students)
        for i, (site, size) in enumerate(zip(self.sites, sizes, strict=True)):
            first_teacher = self.rng.randint(size - 25, 25)
            for n in range(size):
                enrollments.append(
                    Enrollment(
                        student=next(it),
                        site=site,
                        teacher=self.teachers[2 * i + (0 if n < first_teacher else 1)],
                        started_on=self.instructional_days_back(self.rng.randint(0, 170)),
                    )
                )
        enrollments = save(Enrollment, enrollments)
        for e in enrollments:
            self.roster.setdefault(e.site_id, []).append(e)
        self.active = students
        # A year of history: students who left (transferred, moved, dropped out) from every site.
        leavers = self.students(len(self.sites) * 12)
        save(
            Enrollment,
            [
                Enrollment(
                    student=s,
                    site=self.sites[n % len(self.sites)],
                    teacher=self.teachers[2 * (n % len(self.sites))],
                    started_on=(start := self.today - timedelta(days=self.rng.randint(120, 365))),
                    ended_on=start + timedelta(days=self.rng.randint(20, 110)),
                    exit_reason=self.rng.choice(
                        [ExitReason.TRANSFERRED, ExitReason.MOVED, ExitReason.DROPPED_OUT]
                    ),
                )
                for n, s in enumerate(leavers)
            ],
        )
        self.leavers = leavers
        save(SupportProfile, [self.support_profile(s) for s in students + leavers])
        save(Guardian, [self.guardian(s) for s in students + leavers])
        self.counts.update(sites=len(self.sites), active_students=len(students), leavers=len(leavers))

    def support_profile(self, student: Student) -> SupportProfile:
        r = self.rng.random
        return SupportProfile(
            student=student,
            pregnant_or_parenting=r() < 0.12,
            on_probation=r() < 0.2,
            returning_from_detention=r() < 0.08,
            mental_health=r() < 0.25,
            english_learner=student.language == "es" and r() < 0.5,
        )

    def guardian(self, student: Student) -> Guardian:
        first, _ = self.person()
        email = f"family{student.pk}@guardian.example" if self.rng.random() < 0.5 else ""
        consents = self.rng.random() < 0.75
        # Seeded consent without its history rows: the sweeps read only these columns.
        return Guardian(
            student=student,
            name=f"{first} {student.last_name}",
            relationship=Guardian.Relationship.PARENT,
            phone=f"+1213555{self.rng.randint(0, 9999):04d}",
            email=email,
            language=student.language,
            sms_opt_in=consents,
            email_opt_in=consents and bool(email),
            is_primary=True,
        )

    def contracts(self) -> None:
        """One contract per active student: most active, some completed, a few overdue for the sweep."""
        length = settings.ARTWORX_CONTRACT_DAYS
        contracts = []
        for site_id, enrollments in self.roster.items():
            for e in enrollments:
                started = max(e.started_on, self.instructional_days_back(self.rng.randint(0, 95)))
                due = self.calendar.nth_day(started, length)
                status, closed = Contract.Status.ACTIVE, None
                if due < self.today and self.rng.random() < 0.6:
                    status, closed = Contract.Status.COMPLETED, due - timedelta(days=self.rng.randint(0, 10))
                elif self.rng.random() < 0.1 and due >= self.today:
                    status, closed = (
                        Contract.Status.COMPLETED,
                        self.today - timedelta(days=self.rng.randint(0, 5)),
                    )
                contracts.append(
                    Contract(
                        student_id=e.student_id,
                        site_id=site_id,
                        teacher_id=e.teacher_id,
                        started_on=started,
                        length_days=length,
                        due_on=due,
                        status=status,
                        closed_on=max(closed, started) if closed else None,
                    )
                )
        contracts = save(Contract, contracts)
        courses = []
        for c in contracts:
            for area, title in self.rng.sample(COURSES, 5):
                done = c.status == Contract.Status.COMPLETED or self.rng.random() < 0.35
                courses.append(
                    ContractCourse(
                        contract=c,
                        subject_area=area,
                        title=title,
                        credits=Decimal(5),
                        status=ContractCourse.Status.COMPLETED if done else ContractCourse.Status.IN_PROGRESS,
                        grade=self.rng.choice("ABBCCCD") if done else "",
                        resolved_on=min(self.today, c.closed_on or self.today) if done else None,
                    )
                )
        courses = save(ContractCourse, courses)
        assignments = self.work(contracts, courses)
        self.counts.update(contracts=len(contracts), courses=len(courses), assignments=assignments)

    def work(self, contracts: list, courses: list) -> int:
        """A weekly assignment on each active contract since it started, handed in and evaluated with
        the week's instructional days; about one student in seven struggles and earns two fifths to four
        fifths of them, so the re-engagement items appear as they do in the programs."""
        in_progress: dict[int, list] = {}
        for course in courses:
            if course.status == ContractCourse.Status.IN_PROGRESS:
                in_progress.setdefault(course.contract_id, []).append(course)
        work = []
        for c in contracts:
            if c.status != Contract.Status.ACTIVE or c.pk not in in_progress:
                continue
            struggles = self.rng.random() < 1 / 7
            week = c.started_on
            while week + timedelta(days=7) <= self.today:
                due = week + timedelta(days=7)
                days = Decimal(self.calendar.count(week, due - timedelta(days=1)))
                if not days:  # a week of closures: no work set
                    week = due
                    continue
                if struggles:
                    days = (days * Decimal(self.rng.uniform(0.4, 0.8))).quantize(Decimal("0.01"))
                handed_in = due - timedelta(days=self.rng.randint(0, 2))
                work.append(
                    Assignment(
                        contract=c,
                        course=self.rng.choice(in_progress[c.pk]),
                        title=f"Week of {week:%b %d}",
                        assigned_on=week,
                        due_on=due,
                        handed_in_on=handed_in,
                        evaluation=self.rng.choice("ABBCC"),
                        credited_days=days,
                        evaluated_by_id=c.teacher_id,
                        evaluated_at=datetime.combine(
                            handed_in, time(16), tzinfo=timezone.get_current_timezone()
                        ),
                    )
                )
                week = due
        save(Assignment, work)
        return len(work)

    def programs(self) -> None:
        specs = [
            ("Photography", Discipline.PHOTOGRAPHY),
            ("Stagecraft", Discipline.STAGECRAFT),
            ("Music Production", Discipline.MUSIC),
            ("Film / Video", Discipline.FILM_VIDEO),
        ]
        self.level1, level2 = [], []
        for name, discipline in specs:
            first = Program.objects.create(name=f"{self.name} {name} 1", discipline=discipline, level=1)
            second = Program.objects.create(
                name=f"{self.name} {name} 2", discipline=discipline, level=2, prerequisite=first
            )
            self.level1.append(first)
            level2.append(second)
        for (name, _), first, second in zip(specs, self.level1, level2, strict=True):
            pathway = Pathway.objects.create(name=f"{self.name} {name} pathway")
            PathwayStep.objects.bulk_create(
                [
                    PathwayStep(pathway=pathway, program=first, position=1),
                    PathwayStep(pathway=pathway, program=second, position=2),
                ]
            )
            cert = Certification.objects.create(name=f"{self.name} {name} certificate", issuer="Bench issuer")
            cert.pathways.add(pathway)
        self.certifications = list(Certification.objects.filter(name__startswith=f"{self.name} "))

    def cohorts_and_attendance(self) -> None:
        """Four cohorts a site: two from last term (completed), two this term (being logged)."""
        last_term = (self.instructional_days_back(165), self.instructional_days_back(85))
        this_term = (self.instructional_days_back(55), self.today + timedelta(days=60))
        cohorts, artists_of, members = [], [], []
        artist_cycle = 0
        for site in self.sites:
            now = [e.student for e in self.roster[site.pk]]
            self.rng.shuffle(now)
            plan = [
                (self.level1[0], last_term, "0,2,4", now[:20]),
                (self.level1[1], last_term, "1,2,3", now[20:40]),
                (self.level1[2], this_term, "0,2,4", now[:25]),
                (self.level1[3], this_term, "1,2,3", now[25:]),
            ]
            for program, term, days, students in plan:
                cohorts.append(
                    Cohort(
                        program=program,
                        site=site,
                        term_starts_on=term[0],
                        term_ends_on=term[1],
                        meeting_days=days,
                        starts_at=time(15, 30),
                        duration_minutes=90,
                    )
                )
                artists_of.append(self.artists[artist_cycle % len(self.artists)])
                artist_cycle += 1
                members.append(students)
        cohorts = save(Cohort, cohorts)
        Cohort.teaching_artists.through.objects.bulk_create(
            Cohort.teaching_artists.through(cohort_id=c.pk, user_id=a.pk)
            for c, a in zip(cohorts, artists_of, strict=True)
        )
        participations, sessions = [], []
        for cohort, students, artist in zip(cohorts, members, artists_of, strict=True):
            ended = cohort.term_ends_on < self.today
            for s in students:
                participations.append(
                    Participation(
                        cohort=cohort,
                        student=s,
                        status=Participation.Status.COMPLETED if ended else Participation.Status.ENROLLED,
                        joined_on=cohort.term_starts_on,
                        ended_on=cohort.term_ends_on if ended else None,
                    )
                )
            sessions += self.sessions_for(cohort, artist)
        participations = save(Participation, participations)
        sessions = save(Session, sessions)
        marks = insert_attendance([c.pk for c in cohorts])
        self.counts.update(
            cohorts=len(cohorts),
            participations=len(participations),
            logged_sessions=sum(s.status == Session.Status.LOGGED for s in sessions),
            sessions=len(sessions),
            attendance=marks,
        )
        credentials = [
            Credential(
                student=p.student,
                certification=self.rng.choice(self.certifications),
                earned_on=p.ended_on,
                evidence="Portfolio review",
            )
            for p in participations
            if p.ended_on and self.rng.random() < 0.15
        ]
        seen = set()
        save(
            Credential,
            [
                c
                for c in credentials
                if (key := (c.student_id, c.certification_id)) not in seen and not seen.add(key)
            ],
        )

    def sessions_for(self, cohort: Cohort, artist) -> list[Session]:
        """Every meeting day of the term; logged up to today, except the last two of a few cohorts."""
        days = {int(d) for d in cohort.meeting_days.split(",")}
        keep_unlogged = 2 if self.rng.random() < 0.1 else 0
        dates = []
        day = cohort.term_starts_on
        while day <= cohort.term_ends_on:
            if day.weekday() in days and self.calendar.is_instructional(day):
                dates.append(day)
            day += timedelta(days=1)
        past = [d for d in dates if d < self.today]
        logged = set(past[: len(past) - keep_unlogged])
        tz = timezone.get_current_timezone()
        return [
            Session(
                cohort=cohort,
                date=d,
                starts_at=cohort.starts_at,
                duration_minutes=cohort.duration_minutes,
                status=Session.Status.LOGGED if d in logged else Session.Status.SCHEDULED,
                topic="Studio practice" if d in logged else "",
                logged_by=artist if d in logged else None,
                logged_at=datetime.combine(d, time(17, 15), tzinfo=tz) if d in logged else None,
            )
            for d in dates
        ]

    def alumni(self) -> None:
        """Graduates of the last four years, each with check-ins on the monthly-then-quarterly cadence."""
        n = scaled(ALUMNI, self.scale, 10)
        graduates = self.students(n)
        enrollments, alumni = [], []
        contacts = self.staff + self.counselors
        for i, s in enumerate(graduates):
            graduated = self.today - timedelta(days=self.rng.randint(20, 4 * 365))
            enrollments.append(
                Enrollment(
                    student=s,
                    site=self.sites[i % len(self.sites)],
                    teacher=self.teachers[2 * (i % len(self.sites)) + 1],
                    started_on=graduated - timedelta(days=self.rng.randint(90, 300)),
                    ended_on=graduated,
                    exit_reason=ExitReason.GRADUATED,
                )
            )
            alumni.append(
                Alumnus(
                    student=s,
                    graduated_on=graduated,
                    consents_to_contact=self.rng.random() < 0.9,
                    phone=s.phone,
                    language=s.language,
                    # Spread over program staff and counselors, as graduating a student does.
                    staff_contact=contacts[i % len(contacts)],
                )
            )
        save(Enrollment, enrollments)
        save(SupportProfile, [SupportProfile(student=s) for s in graduates])
        outcomes = [o for o in Outcome.values if o != Outcome.UNKNOWN]
        check_ins = []
        for a in alumni:
            day = a.graduated_on
            first_year_ends = a.graduated_on + timedelta(days=365)
            # One contact in eight has fallen behind: that alumnus's latest check-in was never made.
            behind = self.rng.random() < 0.125
            reached_them = []
            while True:
                gap = (
                    settings.ARTWORX_ALUMNI_FIRST_YEAR_DAYS
                    if day < first_year_ends
                    else settings.ARTWORX_ALUMNI_LATER_DAYS
                )
                day += timedelta(days=gap + self.rng.randint(-5, 10))
                if day > self.today or (behind and day + timedelta(days=gap) > self.today):
                    break
                reached = self.rng.random() < 0.8
                check_ins.append(
                    CheckIn(
                        alumnus=a,
                        date=day,
                        staff=a.staff_contact,
                        method=self.rng.choice(CheckIn.Method.values),
                        reached=reached,
                        outcome=self.rng.choice(outcomes) if reached else Outcome.UNKNOWN,
                        next_due_on=day + timedelta(days=gap),
                    )
                )
                if reached:
                    reached_them.append((day, check_ins[-1].outcome))
                a.next_check_in_on = check_ins[-1].next_due_on
            a.follow_outcomes(reached_them)
            if a.next_check_in_on is None:
                a.next_check_in_on = a.graduated_on + timedelta(days=settings.ARTWORX_ALUMNI_FIRST_YEAR_DAYS)
        save(Alumnus, alumni)
        save(CheckIn, check_ins)
        self.counts.update(alumni=len(alumni), check_ins=len(check_ins))

    def referrals(self) -> None:
        """A year of referrals from youth centres; a fifth enrolled, linked to the students they became."""
        n = scaled(REFERRALS, self.scale, 10)
        sources = [p for p in self.partners if p.kind == Partner.Kind.YOUTH_CENTRE] or self.partners
        enrolled_students = iter(self.rng.sample(self.active, min(len(self.active), n // 5)))
        rows = []
        for _ in range(n):
            first, last = self.person()
            received = self.today - timedelta(days=self.rng.randint(0, 365))
            r = Referral(
                source=self.rng.choice(sources),
                first_name=first,
                last_name=last,
                date_of_birth=self.today - timedelta(days=self.rng.randint(15 * 365, 20 * 365)),
                phone=f"562-555-{self.rng.randint(0, 9999):04d}",
                notes="Referred after a street outreach visit.",
                counselor=self.rng.choice(self.counselors),
                received_on=received,
            )
            step = self.rng.random()
            if step > 0.35 and (received + timedelta(days=3)) <= self.today:
                r.status, r.contacted_on = Referral.Status.CONTACTED, received + timedelta(days=3)
            if step > 0.55 and (received + timedelta(days=10)) <= self.today:
                r.status, r.assessed_on = Referral.Status.ASSESSED, received + timedelta(days=10)
                r.recommended_option = RecommendedOption.THIS_PROGRAM
                r.credits_total = Decimal(self.rng.randrange(40, 160, 5))
            if step > 0.8 and r.assessed_on and (student := next(enrolled_students, None)):
                r.status, r.enrolled_on, r.student = Referral.Status.ENROLLED, r.assessed_on, student
            elif step <= 0.35 and (received + timedelta(days=14)) <= self.today:
                # Never reached within two weeks: closed as unreachable. Only the last fortnight's wait.
                r.status, r.closed_on = Referral.Status.UNREACHABLE, received + timedelta(days=14)
            rows.append(r)
        save(Referral, rows)
        self.counts["referrals"] = len(rows)

    def waitlists(self) -> None:
        """Two students waiting at each full site."""
        full = [s for s in self.sites if len(self.roster[s.pk]) >= s.capacity]
        waiting = self.students(2 * len(full))
        save(SupportProfile, [SupportProfile(student=s) for s in waiting])
        save(
            WaitlistEntry,
            [
                WaitlistEntry(student=s, site=full[i // 2], added_on=self.today - timedelta(days=i % 9))
                for i, s in enumerate(waiting)
            ],
        )
        self.counts["waitlisted"] = len(waiting)


def check_rules() -> list[str]:
    """The capacity and uniqueness rules the services enforce, checked over the whole data set."""
    problems = []
    over_site = Site.objects.annotate(
        n=Count("enrollments", filter=Q(enrollments__ended_on__isnull=True))
    ).filter(n__gt=F("capacity"))
    if over_site.exists():
        problems.append(f"{over_site.count()} sites over capacity")
    over_teacher = (
        Enrollment.objects.filter(ended_on__isnull=True)
        .values("teacher")
        .annotate(n=Count("pk"))
        .filter(n__gt=settings.ARTWORX_MAX_CASELOAD)
    )
    if over_teacher.exists():
        problems.append(f"{over_teacher.count()} teachers over {settings.ARTWORX_MAX_CASELOAD}")
    over_cohort = Cohort.objects.annotate(
        n=Count("participations", filter=Q(participations__status=Participation.Status.ENROLLED))
    ).filter(n__gt=settings.ARTWORX_MAX_COHORT_SIZE)
    if over_cohort.exists():
        problems.append(f"{over_cohort.count()} cohorts over {settings.ARTWORX_MAX_COHORT_SIZE}")
    teaches_there = Site.teachers.through.objects.filter(site=OuterRef("site"), user=OuterRef("teacher"))
    stray = Enrollment.objects.filter(ended_on__isnull=True).exclude(Exists(teaches_there))
    if stray.exists():
        problems.append(f"{stray.count()} enrollments with a teacher who does not teach at the site")
    return problems


def table_sizes() -> dict[str, int]:
    """Estimated row counts of the largest tables (PostgreSQL statistics; exact on SQLite)."""
    models = [Student, Enrollment, Contract, ContractCourse, Session, Attendance, Alumnus, CheckIn, Referral]
    if connection.vendor != "postgresql":
        return {m._meta.db_table: m.objects.count() for m in models}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
            [[m._meta.db_table for m in models]],
        )
        return dict(cursor.fetchall())
