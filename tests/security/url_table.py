"""Who may request which URL: the one table the URL-matrix and leak tests are driven by.

Every named URL pattern (the admin aside) has a row here; a pattern without one fails
tests/security/test_url_matrix.py. A row says how to build the URL's arguments for an object in the
scope of `teacher` and `teaching_artist` (tests/security/world.py), which method the page is checked
with, the methods it accepts (any other answers 405), and the status each role gets:

    "app:name": row(lambda w: {"pk": w.thing.pk}, admin=200, staff=200, teacher=404),

Roles not named get `default` (403); `anonymous` gets 302 (to the login page) unless named.
`other_teacher` and `other_artist` hold the same role as `teacher` and `teaching_artist` at another
site and in other cohorts: objects of `teacher`'s site are outside their scope (404).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from retention.models import DistrictRelease
from students.services import signature_link_token
from tests.security.world import ROLES, World

GET, POST = "GET", "POST"


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[World], dict]
    expected: dict[str, int]
    method: str = GET
    allowed: tuple[str, ...] = (GET, POST)
    data: dict = field(default_factory=dict)


def row(kwargs=None, *, method=GET, allowed=None, default=403, **codes) -> Row:
    """A table row: statuses for the roles named, `default` for the others, 302 for anonymous."""
    unknown = set(codes) - set(ROLES)
    assert not unknown, f"unknown roles: {unknown}"
    codes.setdefault("anonymous", 302)
    expected = {role: codes.get(role, default) for role in ROLES}
    if allowed is None:
        allowed = (method,)
    return Row(kwargs=kwargs or (lambda w: {}), expected=expected, method=method, allowed=allowed)


def everyone(status: int, **codes) -> dict:
    """The same status for every signed-in role."""
    return {role: status for role in ROLES if role != "anonymous"} | codes


STAFF = {"admin": 200, "staff": 200, "counselor": 200}  # sees_all in artworx/roles.py
TEACHERS = {"teacher": 200, "other_teacher": 200}
ARTISTS = {"teaching_artist": 200, "other_artist": 200}
MANAGERS = {"admin": 200, "staff": 200}  # manages_sites / manages_programs
# Outside `teacher`'s site and `artist`'s cohort: the object is not in the user's queryset (404).
OTHERS_404 = {"other_teacher": 404, "other_artist": 404, "no_role": 404}
# Students and what hangs off them are in no teaching artist's queryset, not even their participants'.
NOT_THEIRS = dict(teaching_artist=404, **OTHERS_404)
FORM = (GET, POST)

student = lambda w: {"pk": w.student.pk}  # noqa: E731 - the table reads better with short names
cohort = lambda w: {"pk": w.cohort.pk}  # noqa: E731
contract = lambda w: {"pk": w.contract.pk}  # noqa: E731
assignment = lambda w: {"pk": w.contract.pk, "assignment_pk": w.assignment.pk}  # noqa: E731


def paper_link(w) -> dict:
    """A student's signing link for the world contract's agreement, signed on paper long ago."""
    return {"token": signature_link_token(version=w.contract.agreement_versions.get(), role="student")}


SENDERS = {"admin": 302, "staff": 302, "counselor": 302, "teacher": 302}  # act, then back to the page
referral = lambda w: {"pk": w.referral.pk}  # noqa: E731
session = lambda w: {"pk": w.session.pk}  # noqa: E731
alumnus = lambda w: {"pk": w.alumnus.pk}  # noqa: E731


def release(w) -> dict:
    """A district release made (dry run) by the administrator, for the release pages."""
    made = DistrictRelease.objects.first() or DistrictRelease.objects.create(
        district="Demo district", planned_by=w.users["admin"], student_ids=[], plan={"students": 0}
    )
    return {"pk": made.pk}


URLS: dict[str, Row] = {
    # artworx
    "home": row(**everyone(200, teaching_artist=302, other_artist=302)),  # artists land on My sessions
    "login": row(allowed=FORM, anonymous=200, **everyone(302)),
    "logout": row(method=POST, anonymous=302, **everyone(302)),
    "password_change": row(allowed=FORM, **everyone(200)),
    "password_change_done": row(**everyone(200)),
    "set_language": row(method=POST, anonymous=302, **everyone(302)),
    # The service worker and the manifest are public: the phone fetches them before anyone signs in.
    "service_worker": row(anonymous=200, **everyone(200)),
    "web_app_manifest": row(anonymous=200, **everyone(200)),
    "favicon": row(anonymous=301, **everyone(301)),
    "export": row(lambda w: {"name": "students", "fmt": "csv"}, **STAFF, **TEACHERS),
    "dashboard:dashboard": row(**STAFF),
    "dashboard:report": row(**STAFF),
    "notifications:list": row(**everyone(200)),
    "notifications:read": row(lambda w: {"pk": w.notification.pk}, method=POST, default=404, staff=302),
    "notifications:read_all": row(method=POST, **everyone(302)),
    "notifications:preferences": row(allowed=FORM, **everyone(200)),
    "notifications:today": row(**everyone(200)),
    # Someone else's item answers 404; the owner's bad or empty input is refused with a message (302).
    "notifications:snooze": row(lambda w: {"pk": w.notification.pk}, method=POST, default=404, staff=302),
    "notifications:not_mine": row(lambda w: {"pk": w.notification.pk}, method=POST, default=404, staff=302),
    # sites
    "sites:list": row(**STAFF, **TEACHERS),
    "sites:create": row(allowed=FORM, **MANAGERS),
    "sites:detail": row(lambda w: {"pk": w.site.pk}, **STAFF, teacher=200, other_teacher=404),
    "sites:update": row(lambda w: {"pk": w.site.pk}, allowed=FORM, **MANAGERS, **NOT_THEIRS),
    # students
    "students:list": row(**STAFF, **TEACHERS),
    "students:create": row(allowed=FORM, **STAFF),
    "students:detail": row(student, **STAFF, teacher=200, **NOT_THEIRS),
    "students:update": row(student, allowed=FORM, **STAFF, teacher=200, **NOT_THEIRS),
    "students:support_profile": row(student, allowed=FORM, admin=200, counselor=200, **NOT_THEIRS),
    "students:guardian_create": row(student, allowed=FORM, **STAFF, teacher=200, **NOT_THEIRS),
    "students:guardian_update": row(
        lambda w: {"pk": w.student.pk, "guardian_pk": w.guardian.pk},
        allowed=FORM,
        **STAFF,
        teacher=200,
        **NOT_THEIRS,
    ),
    "students:enroll": row(student, allowed=FORM, **STAFF, **NOT_THEIRS),
    "students:contract_create": row(student, allowed=FORM, **STAFF, teacher=200, **NOT_THEIRS),
    "students:transfer": row(lambda w: {"pk": w.enrollment.pk}, allowed=FORM, **STAFF, **NOT_THEIRS),
    "students:exit": row(lambda w: {"pk": w.enrollment.pk}, allowed=FORM, **STAFF, **NOT_THEIRS),
    "students:roster_import": row(allowed=FORM, **STAFF),
    "students:roster_import_detail": row(lambda w: {"pk": w.roster_import.pk}, **STAFF),
    "students:roster_import_confirm": row(
        lambda w: {"pk": w.roster_import.pk}, method=POST, admin=302, staff=302, counselor=302
    ),
    "students:contract_list": row(**STAFF, **TEACHERS),
    "students:contract_detail": row(contract, **STAFF, teacher=200, **NOT_THEIRS),
    "students:contract_course_add": row(contract, allowed=FORM, **STAFF, teacher=200, **NOT_THEIRS),
    "students:contract_course_resolve": row(
        lambda w: {"pk": w.contract.pk, "course_pk": w.contract.courses.first().pk},
        allowed=FORM,
        **STAFF,
        teacher=200,
        **NOT_THEIRS,
    ),
    "students:contract_extend": row(contract, allowed=FORM, **STAFF, **NOT_THEIRS),
    # The world's contract has started: cancelling says so on the contract page.
    "students:contract_cancel": row(
        contract, allowed=FORM, admin=302, staff=302, counselor=302, **NOT_THEIRS
    ),
    # The written agreement: the world's contract was signed on paper (nothing to send, no one to sign),
    # so the actions answer with a message and a redirect to the contract page.
    "students:agreement_send": row(contract, method=POST, **SENDERS, **NOT_THEIRS),
    "students:agreement_resend": row(contract, method=POST, **SENDERS, **NOT_THEIRS),
    "students:agreement_sign": row(contract, method=POST, teacher=302, **NOT_THEIRS),
    "students:agreement_pdf": row(
        lambda w: {"pk": w.contract.pk, "number": 1}, **STAFF, teacher=200, **NOT_THEIRS
    ),
    # A signing link needs no account: this one is for a version no longer out for signatures.
    "students:agreement_sign_link": row(
        paper_link,
        allowed=FORM,
        anonymous=410,
        **everyone(410),
    ),
    "students:assignment_add": row(contract, allowed=FORM, **STAFF, teacher=200, **NOT_THEIRS),
    "students:assignment_hand_in": row(assignment, method=POST, **SENDERS, **NOT_THEIRS),
    "students:assignment_evaluate": row(assignment, allowed=FORM, teacher=200, **NOT_THEIRS),
    "students:review_detail": row(
        lambda w: {"pk": w.contract.pk, "review_pk": w.review.pk},
        allowed=FORM,
        **STAFF,
        teacher=200,
        **NOT_THEIRS,
    ),
    # Waitlists are for staff roles: a teacher may see their site (403 on its waitlist), not its entries.
    "students:waitlist_add": row(student, method=POST, admin=302, staff=302, counselor=302, **NOT_THEIRS),
    "students:waitlist": row(lambda w: {"site_pk": w.waitlist_entry.site_id}, **STAFF, **NOT_THEIRS),
    "students:waitlist_enroll": row(
        lambda w: {"pk": w.waitlist_entry.pk}, allowed=FORM, **STAFF, teacher=404, **NOT_THEIRS
    ),
    "students:waitlist_skip": row(
        lambda w: {"pk": w.waitlist_entry.pk}, allowed=FORM, **STAFF, teacher=404, **NOT_THEIRS
    ),
    "students:referral_list": row(**STAFF, **TEACHERS),
    "students:referral_create": row(allowed=FORM, **STAFF),
    "students:referral_funnel": row(**STAFF),
    "students:referral_detail": row(referral, **STAFF, teacher=200, other_teacher=404),
    "students:referral_update": row(referral, allowed=FORM, **STAFF, other_teacher=404),
    "students:referral_advance": row(referral, allowed=FORM, **STAFF, other_teacher=404),
    # The world's referral is enrolled already: converting it again sends staff back to it.
    "students:referral_convert": row(
        referral, allowed=FORM, admin=302, staff=302, counselor=302, other_teacher=404
    ),
    # programs
    "programs:program_list": row(**STAFF, **TEACHERS, **ARTISTS),
    "programs:program_create": row(allowed=FORM, **MANAGERS),
    "programs:program_update": row(lambda w: {"pk": w.program.pk}, allowed=FORM, **MANAGERS),
    "programs:pathway_create": row(allowed=FORM, **MANAGERS),
    "programs:pathway_detail": row(lambda w: {"pk": w.pathway.pk}, **STAFF, **TEACHERS),
    "programs:pathway_update": row(lambda w: {"pk": w.pathway.pk}, allowed=FORM, **MANAGERS),
    "programs:certification_create": row(allowed=FORM, **MANAGERS),
    "programs:credential_create": row(student, allowed=FORM, **MANAGERS, **NOT_THEIRS),
    "programs:placement_create": row(student, allowed=FORM, **MANAGERS, **NOT_THEIRS),
    "programs:placement_detail": row(
        lambda w: {"pk": w.placement.pk}, allowed=FORM, **STAFF, teacher=200, **NOT_THEIRS
    ),
    "programs:cohort_list": row(**STAFF, **TEACHERS, **ARTISTS),
    "programs:cohort_create": row(allowed=FORM, **MANAGERS),
    "programs:cohort_detail": row(cohort, **STAFF, teacher=200, teaching_artist=200, **OTHERS_404),
    "programs:cohort_update": row(cohort, allowed=FORM, **MANAGERS, **OTHERS_404),
    "programs:participation_create": row(cohort, allowed=FORM, **MANAGERS, **OTHERS_404),
    # families: staff text a family; Twilio's webhooks answer 403 to anything without its signature.
    "families:message_create": row(
        student, method=POST, admin=302, staff=302, counselor=302, teacher=302, **NOT_THEIRS
    ),
    "families:status_callback": row(method=POST, anonymous=403, **everyone(403)),
    "families:inbound": row(method=POST, anonymous=403, **everyone(403)),
    "programs:cohort_complete": row(cohort, method=POST, admin=302, staff=302, **OTHERS_404),
    "programs:session_create": row(cohort, allowed=FORM, **MANAGERS, **OTHERS_404),
    "programs:participation_end": row(
        lambda w: {"pk": w.participation.pk}, allowed=FORM, **MANAGERS, **OTHERS_404
    ),
    "programs:my_sessions": row(**STAFF, **TEACHERS, **ARTISTS),
    "programs:unlogged_sessions": row(**STAFF, **TEACHERS),
    "programs:attendance_alerts": row(**STAFF, **TEACHERS),
    "programs:session_log": row(session, allowed=FORM, **MANAGERS, teaching_artist=200, **OTHERS_404),
    "programs:session_move": row(session, allowed=FORM, **MANAGERS, **OTHERS_404),
    "programs:session_cancel": row(session, allowed=FORM, **MANAGERS, **OTHERS_404),
    # alumni
    "alumni:list": row(**STAFF, **TEACHERS),
    "alumni:mine": row(**STAFF),
    "alumni:outcomes": row(**STAFF, **TEACHERS),
    "alumni:detail": row(alumnus, **STAFF, teacher=200, **NOT_THEIRS),
    "alumni:update": row(alumnus, allowed=FORM, **STAFF, **NOT_THEIRS),
    "alumni:check_in_create": row(alumnus, allowed=FORM, **STAFF, **NOT_THEIRS),
    # signing in (allauth, artworx/signin/urls.py): pages about one's own account, no student data.
    # Signed-in people are sent on from the entrance pages; anonymous from the account pages.
    "account_login": row(allowed=FORM, anonymous=200, **everyone(302)),
    "account_logout": row(method=POST, allowed=FORM, anonymous=302, **everyone(302)),
    "account_signup": row(allowed=FORM, anonymous=200, **everyone(302)),  # "sign-up is closed"
    "account_inactive": row(anonymous=200, **everyone(200)),
    "account_reauthenticate": row(allowed=FORM, **everyone(200)),
    "account_change_password": row(allowed=FORM, **everyone(200)),
    "account_set_password": row(allowed=FORM, **everyone(302)),  # everyone has a password: to change
    "account_reset_password": row(allowed=FORM, anonymous=200, **everyone(200)),
    "account_reset_password_done": row(anonymous=200, **everyone(200)),
    # A key that is not one says the link is bad (200), for anyone.
    "account_reset_password_from_key": row(
        lambda w: {"uidb36": "1", "key": "not-a-key"}, allowed=FORM, anonymous=200, **everyone(200)
    ),
    "account_reset_password_from_key_done": row(anonymous=200, **everyone(200)),
    # Sign-in and re-authentication by emailed code are off: back to the sign-in page.
    "account_confirm_login_code": row(allowed=FORM, **everyone(302)),
    "account_request_reauthentication_code": row(allowed=FORM, **everyone(302)),
    "account_confirm_reauthentication_code": row(allowed=FORM, **everyone(302)),
    "mfa_index": row(**everyone(200)),
    # retention: the family's copy and corrections for staff roles; district releases for administrators
    "retention:family_copy": row(student, **STAFF, **NOT_THEIRS),
    "retention:family_copy_pdf": row(student, **STAFF, **NOT_THEIRS),
    "retention:family_copy_zip": row(student, **STAFF, **NOT_THEIRS),
    "retention:correction_create": row(student, allowed=FORM, **STAFF, **NOT_THEIRS),
    "retention:release_list": row(allowed=FORM, admin=200),
    "retention:release_detail": row(release, admin=200),
    "retention:release_confirm": row(release, method=POST, admin=302),
    "retention:release_export": row(release, admin=404),  # nothing exported yet
    # Setting up an authenticator asks for the password again first (or, holding one, goes back).
    "mfa_activate_totp": row(allowed=FORM, **everyone(302)),
    "mfa_deactivate_totp": row(allowed=FORM, default=404, admin=302, staff=302, counselor=302),
    "mfa_authenticate": row(allowed=FORM, **everyone(302)),  # only between password and code
    "mfa_reauthenticate": row(allowed=FORM, default=302, admin=200, staff=200, counselor=200),
    # Recovery codes: the demo's staff roles hold some (shown after the password again); others none.
    "mfa_view_recovery_codes": row(default=404, admin=302, staff=302, counselor=302),
    "mfa_generate_recovery_codes": row(allowed=FORM, **everyone(302)),
    "mfa_download_recovery_codes": row(allowed=FORM, default=404, admin=302, staff=302, counselor=302),
    # No single sign-on provider is configured here: its routes answer 404 for everyone.
    "openid_connect_login": row(
        lambda w: {"provider_id": "google"}, allowed=FORM, anonymous=404, **everyone(404)
    ),
    "openid_connect_callback": row(
        lambda w: {"provider_id": "google"}, allowed=FORM, anonymous=404, **everyone(404)
    ),
    "socialaccount_login_cancelled": row(anonymous=200, **everyone(200)),
    "socialaccount_login_error": row(anonymous=401, **everyone(401)),
    "socialaccount_signup": row(allowed=FORM, **everyone(302)),  # no sign-up: back to sign-in
}
