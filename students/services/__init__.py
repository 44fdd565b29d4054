"""Writes on students: each sub-domain's rules, transactions and locks in a module of its own."""

from students.services.addresses import (  # noqa: F401 - the package's names
    guardian_address_refused,
    student_address_refused,
)
from students.services.agreements import (  # noqa: F401 - the package's names
    agreement_content,
    agreement_draft,
    agreement_links_send,
    agreement_resend,
    agreement_send,
    agreement_sign,
    contract_cancel,
    current_version,
    signature_link_read,
    signature_link_token,
    signature_link_url,
)
from students.services.audit import (  # noqa: F401 - the package's names
    record_read_create,
    record_reads_create_many,
    record_reads_purge,
)
from students.services.contracts import (  # noqa: F401 - the package's names
    PASSING_GRADES,
    contract_course_add,
    contract_course_resolve,
    contract_course_update,
    contract_extend,
    contract_open,
    contracts_expire_overdue,
    contracts_recompute_due_dates,
)
from students.services.enrollments import (  # noqa: F401 - the package's names
    BatchRefused,
    EnrollmentRequest,
    enrollment_create,
    enrollment_exit,
    enrollment_transfer,
    enrollments_check_many,
    enrollments_create_many,
)
from students.services.guardians import (  # noqa: F401 - the package's names
    guardian_consent_set,
    guardian_save,
)
from students.services.referrals import (  # noqa: F401 - the package's names
    REFERRAL_FIELDS,
    REFERRAL_NEXT,
    referral_advance,
    referral_convert,
    referral_create,
    referral_matches,
    referral_update,
)
from students.services.students import (  # noqa: F401 - the package's names
    student_create,
    student_save,
    students_create_many,
)
from students.services.waitlist import (  # noqa: F401 - the package's names
    waitlist_add,
    waitlist_enroll,
    waitlist_skip,
)
from students.services.work import (  # noqa: F401 - the package's names
    assignment_create,
    assignment_evaluate,
    assignment_hand_in,
    review_decide,
    review_open_if_due,
    time_value_days,
)
