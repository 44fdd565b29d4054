"""The written agreement of a contract (EC 51747): draft, revise, send, sign through a link, activate.

A contract starts, and counts instructional days, only once every required signer has signed the
version out for signatures (DESIGN.md rule 5); the start date is then the day of the last signature,
unless the plan starts later. A version once sent never changes: a change of courses or dates makes
the next version, which needs signing again.
"""

import string
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import absolute_url, notification_deliver, notification_enqueue
from notifications.sweeps import dedupe_key
from notifications.tasks import deliveries_enqueue
from sites.calendar import calendars_for_sites
from students.models import (
    AgreementTemplate,
    AgreementVersion,
    Contract,
    Guardian,
    IndependentStudyPolicy,
    Signature,
    SignerRole,
    SubjectArea,
    content_hash,
)
from students.signals import signature_link_ready
from students.wording import WORDING

LINK_SALT = "students.agreement-signature-link"
LANGUAGES = ("en", "es")


def age_on(born: date, day: date) -> int:
    """Whole years between a date of birth and a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _section_values(contract: Contract, policy: IndependentStudyPolicy, courses, language: str) -> dict:
    """The placeholders' values in one language (dates and numbers the way that language writes them)."""
    with translation.override(language):
        total = sum((course.credits for course in courses), start=0)
        return {
            "student": contract.student.display_name,
            "site": contract.site.name,
            "teacher": contract.teacher.get_full_name() or contract.teacher.username,
            "program": policy.program_name,
            "begins": date_format(contract.started_on, "DATE_FORMAT"),
            "ends": date_format(contract.due_on, "DATE_FORMAT"),
            "days": str(contract.total_days),
            "credits": number_format(total, decimal_pos=1),
            "max_days_to_due": str(policy.max_days_to_due),
            "missed_for_review": str(policy.missed_assignments_for_review),
        }


def agreement_content(contract: Contract) -> dict:
    """What a version of the contract's agreement says, in English and Spanish: the snapshot that is hashed.

    Student identity, courses and credits, planned dates, and the organisation's wording with the
    board policy's numbers filled in. Support is stated in the template's general words: nothing of the
    student's support profile is read here.
    """
    policy = IndependentStudyPolicy.current()
    templates = {template.language: template for template in AgreementTemplate.objects.all()}
    for language in LANGUAGES:  # a language with no row in the admin console reads the shipped wording
        templates.setdefault(language, AgreementTemplate(language=language, **WORDING[language]))
    courses = list(contract.courses.order_by("pk"))
    text = {}
    for language in LANGUAGES:
        template = templates[language]
        values = _section_values(contract, policy, courses, language)
        with translation.override(language):
            text[language] = {
                "title": template.title,
                "sections": [
                    {
                        "heading": str(template._meta.get_field(name).verbose_name).capitalize(),
                        "body": string.Template(getattr(template, name)).safe_substitute(values),
                    }
                    for name in AgreementTemplate.SECTIONS
                ],
                "courses": [
                    {
                        "title": course.title,
                        "subject": str(SubjectArea(course.subject_area).label),
                        "credits": number_format(course.credits, decimal_pos=1),
                    }
                    for course in courses
                ],
                **{f"{key}_text": value for key, value in values.items()},
            }
    student = contract.student
    return {
        "contract": contract.pk,
        "student": {
            "name": student.display_name,
            "legal_name": f"{student.first_name} {student.last_name}",
            "grade": student.grade,
            "district_id": student.district_id or "",
        },
        "site": contract.site.name,
        "program": policy.program_name,
        "teacher": values["teacher"],
        "courses": [
            {"subject_area": c.subject_area, "title": c.title, "credits": str(c.credits)} for c in courses
        ],
        "begins_on": contract.started_on.isoformat(),
        "ends_on": contract.due_on.isoformat(),
        "instructional_days": contract.total_days,
        "policy": {
            "max_days_to_due": policy.max_days_to_due,
            "missed_assignments_for_review": policy.missed_assignments_for_review,
        },
        "text": text,
    }


def _requires_guardian(contract: Contract) -> bool:
    """A guardian signs when the student is under the age of majority today (EC 51747(g)(9))."""
    return age_on(contract.student.date_of_birth, timezone.localdate()) < settings.ARTWORX_AGE_OF_MAJORITY


def _fill(version: AgreementVersion, contract: Contract) -> None:
    version.content = agreement_content(contract)
    version.content_hash = content_hash(version.content)
    version.requires_guardian = _requires_guardian(contract)


def agreement_draft(*, contract: Contract) -> AgreementVersion:
    """Write the contract's agreement as it stands now: a new draft, or the draft rewritten.

    Called, inside the caller's transaction and with the contract row locked, by every service that
    changes what the agreement says (opening, courses, extension, transfer). A version already sent
    or signed is never rewritten: the next version is drafted, and one sent but unsigned is replaced
    (its links then answer "old version").
    """
    pending = contract.agreement_versions.filter(
        status__in=[AgreementVersion.Status.DRAFT, AgreementVersion.Status.SENT]
    ).first()
    if pending is not None and pending.status == AgreementVersion.Status.DRAFT:
        _fill(pending, contract)
        pending.save(update_fields=["content", "content_hash", "requires_guardian", "updated_at"])
        return pending
    if pending is not None:
        pending.status = AgreementVersion.Status.REPLACED
        pending.save(update_fields=["status", "updated_at"])
        if contract.status == Contract.Status.AWAITING_SIGNATURES:
            contract.status = Contract.Status.DRAFT
            contract.save(update_fields=["status", "updated_at"])
    last = contract.agreement_versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = AgreementVersion(contract=contract, number=last + 1)
    _fill(version, contract)
    version.save()
    return version


def current_version(contract: Contract) -> AgreementVersion | None:
    """The version waiting to be signed (draft or sent), else the last signed one."""
    versions = sorted(
        (v for v in contract.agreement_versions.all() if v.status != AgreementVersion.Status.REPLACED),
        key=lambda v: v.number,
    )
    pending = [
        v for v in versions if v.status in (AgreementVersion.Status.DRAFT, AgreementVersion.Status.SENT)
    ]
    return (pending or versions or [None])[-1]


# Signing links ----------------------------------------------------------------------------------


def signature_link_token(*, version: AgreementVersion, role: str, guardian: Guardian | None = None) -> str:
    """A signed, expiring token for one signer of one version (no account needed).

    Single use is the database's: once that role has signed the version, the token opens nothing.
    """
    payload = {"v": version.pk, "r": role, "h": version.content_hash[:16]}
    if guardian is not None:
        payload["g"] = guardian.pk
    return signing.dumps(payload, salt=LINK_SALT, compress=True)


def signature_link_url(**kwargs) -> str:
    return reverse("students:agreement_sign_link", args=[signature_link_token(**kwargs)])


@dataclass(frozen=True)
class SigningLink:
    """What a valid link opens: the version, who signs, and the signer's name and language."""

    version: AgreementVersion
    role: str
    guardian: Guardian | None
    name: str
    language: str


def signature_link_read(token: str) -> SigningLink:
    """The signer a link is for; refuses (ValidationError with a code) a forged, expired, old or used link.

    Reads only: a refused link writes nothing.
    """
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=settings.ARTWORX_SIGNATURE_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This signing link has expired."), code="link_expired") from None
    except signing.BadSignature:
        raise ValidationError(_("This signing link is not valid."), code="link_forged") from None
    version = (
        AgreementVersion.objects.select_related("contract__student", "contract__site", "contract__teacher")
        .filter(pk=payload.get("v"))
        .first()
    )
    role = payload.get("r")
    if version is None or role not in (SignerRole.STUDENT, SignerRole.GUARDIAN):
        raise ValidationError(_("This signing link is not valid."), code="link_forged")
    if version.status == AgreementVersion.Status.REPLACED or not version.content_hash.startswith(
        payload.get("h", "-")
    ):
        raise ValidationError(
            _("This agreement was changed after this link was sent: ask the teacher for the new one."),
            code="link_old_version",
        )
    if version.signatures.filter(role=role).exists():
        raise ValidationError(_("This agreement has already been signed with this link."), code="link_used")
    if version.status != AgreementVersion.Status.SENT or not version.contract.is_open:
        raise ValidationError(_("This agreement is not waiting for signatures."), code="link_closed")
    if role == SignerRole.GUARDIAN and not version.requires_guardian:
        raise ValidationError(_("This agreement does not need a guardian's signature."), code="link_forged")
    student = version.contract.student
    guardian = None
    if role == SignerRole.GUARDIAN:
        guardian = Guardian.objects.filter(pk=payload.get("g"), student_id=student.pk).first()
        if guardian is None:
            raise ValidationError(_("This signing link is not valid."), code="link_forged")
        return SigningLink(version, role, guardian, guardian.name, guardian.language)
    return SigningLink(version, role, None, student.display_name, student.language)


def _signers_to_reach(version: AgreementVersion, *, role: str | None = None) -> list[dict]:
    """The people a version's links go to: the student, and the guardians when one must sign."""
    student = version.contract.student
    people = []
    if role in (None, SignerRole.STUDENT):
        people.append(
            {"role": SignerRole.STUDENT, "guardian": None, "name": student.display_name,
             "email": student.email, "phone": student.phone, "language": student.language}
        )  # fmt: skip
    if version.requires_guardian and role in (None, SignerRole.GUARDIAN):
        for guardian in student.guardians.order_by("-is_primary", "pk"):
            people.append(
                {"role": SignerRole.GUARDIAN, "guardian": guardian, "name": guardian.name,
                 "email": guardian.email, "phone": guardian.phone, "language": guardian.language}
            )  # fmt: skip
    return people


def _deliver_after_commit(notification_ids: list[int]) -> None:
    """Send the links as soon as the transaction commits: in the request on the embedded default,
    else through the workers (a dead broker leaves them for the next sweep)."""
    if not notification_ids:
        return
    if settings.ARTWORX_RUN_TASKS_INLINE:
        transaction.on_commit(lambda: [notification_deliver(notification_id=pk) for pk in notification_ids])
    else:
        deliveries_enqueue(notification_ids=notification_ids)


def agreement_links_send(*, version: AgreementVersion, role: str | None = None) -> list[str]:
    """Send each signer still to sign their link by email, and guardians theirs by text too where
    they agreed to texts; returns the names reached. Every sending is a notification of its own."""
    signed = set(version.signatures.values_list("role", flat=True))
    contract = version.contract
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    reached, ids = [], []
    days = settings.ARTWORX_SIGNATURE_LINK_MAX_AGE // 86400
    for person in _signers_to_reach(version, role=role):
        if person["role"] in signed:
            continue
        url = absolute_url(
            signature_link_url(version=version, role=person["role"], guardian=person["guardian"])
        )
        sent = False
        if person["email"]:
            key = f"{person['role']}-{person['guardian'].pk if person['guardian'] else contract.student_id}"
            notification, _new = notification_enqueue(
                kind=Kind.SIGNATURE_NEEDED,
                dedupe_key=dedupe_key(Kind.SIGNATURE_NEEDED, version, stamp, key),
                subject=version,
                context={
                    "audience": person["role"],
                    "recipient_name": person["name"],
                    "student_name": contract.student.display_name,
                    "site_name": contract.site.name,
                    "teacher_name": str(contract.teacher),
                    "link": url,
                    "days": days,
                },
                recipient_email=person["email"],
                recipient_name=person["name"],
                language=person["language"],
                in_app=False,
                by_email=True,
            )
            ids.append(notification.pk)
            sent = True
        if person["guardian"] is not None and person["phone"]:
            # Texts go to guardians who agreed to them (families); a student's link goes by email.
            answers = signature_link_ready.send(
                sender=AgreementVersion, version=version, guardian=person["guardian"], url=url
            )
            sent = any(answer for _receiver, answer in answers) or sent
        if sent:
            reached.append(person["name"])
    _deliver_after_commit(ids)
    return reached


def _lock(contract: Contract) -> Contract:
    # Lock the contract: sending, signing and revising its agreement queue here, so the last of two
    # signatures arriving together sees the other and activates the contract exactly once.
    return (
        Contract.objects.select_for_update().select_related("student", "site", "teacher").get(pk=contract.pk)
    )


@transaction.atomic
def agreement_send(*, contract: Contract, by) -> AgreementVersion:
    """Send the draft version for signatures: the links go out and the contract awaits signatures."""
    contract = _lock(contract)
    version = contract.agreement_versions.filter(status=AgreementVersion.Status.DRAFT).first()
    if version is None:
        raise ValidationError(_("There is no draft of the agreement to send."), code="no_draft")
    if not contract.is_open:
        raise ValidationError(_("This contract is closed."), code="contract_closed")
    version.status, version.sent_at = AgreementVersion.Status.SENT, timezone.now()
    version.save(update_fields=["status", "sent_at", "updated_at"])
    if contract.status == Contract.Status.DRAFT:
        contract.status = Contract.Status.AWAITING_SIGNATURES
        contract.save(update_fields=["status", "updated_at"])
    version.contract = contract
    agreement_links_send(version=version)
    return version


@transaction.atomic
def agreement_resend(*, contract: Contract, role: str, by) -> list[str]:
    """Send a signer's link again (a new link; the old one still works until it expires or is used)."""
    contract = _lock(contract)
    version = contract.agreement_versions.filter(status=AgreementVersion.Status.SENT).first()
    if version is None:
        raise ValidationError(_("No version of the agreement is waiting for signatures."), code="not_sent")
    if role not in (SignerRole.STUDENT, SignerRole.GUARDIAN) or role not in version.required_roles:
        raise ValidationError(_("This person does not sign through a link."), code="not_required")
    version.contract = contract
    reached = agreement_links_send(version=version, role=role)
    if not reached:
        raise ValidationError(
            _(
                "Nobody to send it to: add an email address for the student or a guardian, or a mobile "
                "number of a guardian who agreed to texts."
            ),
            code="no_contact",
        )
    return reached


def _activate(contract: Contract, *, on: date) -> None:
    """Start the contract on the day of the last signature (or its planned start, if later): due date
    recomputed on its site's calendar."""
    start = max(contract.started_on, on)
    old_start, old_due = contract.started_on, contract.due_on
    contract.started_on = start
    contract.due_on = contract.due_date(calendars_for_sites([contract.site_id])[contract.site_id])
    contract.status = Contract.Status.ACTIVE
    if start != old_start:
        contract.due_note = _(
            "Started on %(start)s, the day the agreement was signed by everyone (planned %(planned)s); "
            "due date moved from %(old)s to %(new)s."
        ) % {"start": start, "planned": old_start, "old": old_due, "new": contract.due_on}
        contract.due_note = contract.due_note[: Contract._meta.get_field("due_note").max_length]
    contract.save()


@transaction.atomic
def agreement_sign(
    *,
    version: AgreementVersion,
    role: str,
    typed_name: str,
    language: str,
    ip_address: str | None,
    guardian: Guardian | None = None,
    user=None,
) -> Signature:
    """Record one signature on the version out for signatures; the last one activates the contract.

    The time is the server's and the hash the version's: neither comes from the signer.
    """
    contract = _lock(version.contract)
    version = AgreementVersion.objects.get(pk=version.pk)
    typed_name = " ".join((typed_name or "").split())
    if version.status == AgreementVersion.Status.REPLACED:
        raise ValidationError(
            _("This version of the agreement was replaced by a newer one."), code="old_version"
        )
    if version.status != AgreementVersion.Status.SENT or not contract.is_open:
        raise ValidationError(_("This agreement is not waiting for signatures."), code="not_sent")
    if role not in version.required_roles:
        raise ValidationError(_("This agreement does not need that signature."), code="not_required")
    if role == SignerRole.TEACHER and (user is None or user.pk != contract.teacher_id):
        raise ValidationError(
            _("Only the contract's supervising teacher signs as teacher."), code="not_teacher"
        )
    if role == SignerRole.GUARDIAN and (guardian is None or guardian.student_id != contract.student_id):
        raise ValidationError(_("Only a guardian of the student signs as guardian."), code="not_guardian")
    if not typed_name:
        raise ValidationError(_("Type your full name to sign."), code="typed_name")
    if len(typed_name) > Signature._meta.get_field("typed_name").max_length:
        raise ValidationError(_("The name is too long."), code="typed_name")
    if version.signatures.filter(role=role).exists():
        raise ValidationError(
            _("This agreement has already been signed with this link."), code="already_signed"
        )
    try:
        with transaction.atomic():  # a savepoint: the constraint's refusal leaves the transaction usable
            signature = Signature.objects.create(
                version=version,
                role=role,
                typed_name=typed_name,
                signed_at=timezone.now(),
                ip_address=ip_address or None,
                version_hash=version.content_hash,
                language=language if language in LANGUAGES else "en",
                guardian=guardian if role == SignerRole.GUARDIAN else None,
                user=user if role == SignerRole.TEACHER else None,
            )
    except IntegrityError:
        raise ValidationError(
            _("This agreement has already been signed with this link."), code="already_signed"
        ) from None
    signed = set(version.signatures.values_list("role", flat=True))
    if signed >= set(version.required_roles):
        version.status, version.signed_at = AgreementVersion.Status.SIGNED, signature.signed_at
        version.save(update_fields=["status", "signed_at", "updated_at"])
        if contract.is_pending:
            _activate(contract, on=timezone.localdate())
    return signature


@transaction.atomic
def contract_cancel(*, contract: Contract, reason: str, by) -> Contract:
    """Cancel a contract before it starts (a draft or one awaiting signatures); its versions stay."""
    contract = _lock(contract)
    if not contract.is_pending:
        raise ValidationError(_("Only a contract that has not started can be cancelled."), code="started")
    if not reason.strip():
        raise ValidationError(_("Give a reason for cancelling."), code="reason")
    contract.agreement_versions.filter(
        status__in=[AgreementVersion.Status.DRAFT, AgreementVersion.Status.SENT]
    ).update(status=AgreementVersion.Status.REPLACED)
    contract.status = Contract.Status.CANCELLED  # it never ran: no closing day, no days used
    contract.due_note = _("Cancelled before it started: %(reason)s") % {"reason": reason.strip()}
    contract.due_note = contract.due_note[: Contract._meta.get_field("due_note").max_length]
    contract.save()
    return contract
