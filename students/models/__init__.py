"""Students and what the organisation keeps about them, one module per sub-domain.

Lower modules name the student through their foreign key (`student_model`), so no module imports one
above it: common, enrollments, contracts, waitlists and referrals, roster imports, then students.
"""

from students.models.agreements import (  # noqa: F401 - the package's names
    AgreementTemplate,
    AgreementVersion,
    IndependentStudyPolicy,
    Signature,
    SignerRole,
    content_hash,
)
from students.models.audit import (  # noqa: F401 - the package's names
    RecordRead,
)
from students.models.common import (  # noqa: F401 - the package's names
    MAX_AGE,
    validate_date_of_birth,
)
from students.models.contracts import (  # noqa: F401 - the package's names
    ACTIVE_FIRST,
    NO_CREDITS,
    Contract,
    ContractCourse,
    ContractCredits,
    ContractPace,
    ContractQuerySet,
    CreditsEarned,
    SubjectArea,
    elapsed_days,
)
from students.models.enrollments import (  # noqa: F401 - the package's names
    Diploma,
    Enrollment,
    EnrollmentQuerySet,
    ExitReason,
    SiteEnrollmentTotals,
)
from students.models.imports import (  # noqa: F401 - the package's names
    RosterImport,
)
from students.models.referrals import (  # noqa: F401 - the package's names
    RecommendedOption,
    Referral,
    ReferralDayTotals,
    ReferralQuerySet,
    WaitlistEntry,
    WaitlistEntryQuerySet,
)
from students.models.students import (  # noqa: F401 - the package's names
    Channel,
    Guardian,
    GuardianConsent,
    GuardianQuerySet,
    Student,
    StudentQuerySet,
    SupportProfile,
)
from students.models.work import (  # noqa: F401 - the package's names
    Assignment,
    AssignmentQuerySet,
    Review,
)
