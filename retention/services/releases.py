"""The end of a district contract: a dry run, two administrators' confirmations, the export of the
district's students' records for return, their anonymisation, and a signed summary (EC 49073.1)."""

import hashlib
import hmac
import io
import json
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alumni.models import Alumnus
from artworx.roles import is_administrator
from retention.copies import CopyEncoder, family_copy_json
from retention.models import Anonymisation, DistrictRelease, LegalHold
from retention.selectors import anonymisation_plan, protected_students, students_not_anonymised
from retention.services.anonymise import students_anonymise
from students.models import Enrollment, Student

EXPORT_FOLDER = "retention/releases"


def _require_administrator(user) -> None:
    if not is_administrator(user):
        raise ValidationError(_("Only an administrator may do this."), code="not_administrator")


def release_students(*, district_id_prefix: str = "", sites=()) -> QuerySet[Student]:
    """Students of a district not anonymised yet: by the start of their district id, or ever enrolled at
    one of the sites."""
    chosen = Q(pk__in=[])
    if district_id_prefix:
        chosen |= Q(district_id__startswith=district_id_prefix)
    if sites:
        chosen |= Q(Exists(Enrollment.objects.filter(student=OuterRef("pk"), site__in=list(sites))))
    return students_not_anonymised().filter(chosen).order_by("pk")


def _kept(students: QuerySet[Student]) -> dict[str, int]:
    """Students of the selection never anonymised, by reason."""
    return {
        "kept: enrolled now": students.filter(
            Exists(Enrollment.objects.open().filter(student=OuterRef("pk")))
        ).count(),
        "kept: under a legal hold": students.filter(
            Exists(LegalHold.objects.filter(student=OuterRef("pk")))
        ).count(),
        "kept: alumni who still consent": students.filter(
            Exists(Alumnus.objects.filter(student=OuterRef("pk"), consents_to_contact=True))
        ).count(),
    }


@transaction.atomic
def release_plan(*, district: str, district_id_prefix: str = "", sites=(), by) -> DistrictRelease:
    """The dry run: which students would be exported and anonymised, what would change by kind and count,
    and who is kept and why. Writes the release awaiting confirmations; changes no student."""
    _require_administrator(by)
    district_id_prefix = district_id_prefix.strip()
    if not district.strip():
        raise ValidationError(_("Name the district."), code="no_district")
    if not district_id_prefix and not sites:
        raise ValidationError(_("Give a district id prefix or choose sites."), code="no_selection")
    chosen = release_students(district_id_prefix=district_id_prefix, sites=sites)
    ids = list(chosen.exclude(protected_students()).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("No student of this selection can be anonymised."), code="nobody")
    plan = anonymisation_plan(student_ids=ids) | {kind: n for kind, n in _kept(chosen).items() if n}
    release = DistrictRelease.objects.create(
        district=district.strip(),
        district_id_prefix=district_id_prefix,
        planned_by=by,
        student_ids=ids,
        plan=plan,
    )
    release.sites.set(sites)
    return release


def release_confirm(*, release: DistrictRelease, by) -> DistrictRelease:
    """Confirm a planned release; the second confirmation, by another administrator, sets it going."""
    _require_administrator(by)
    with transaction.atomic():
        release = DistrictRelease.objects.select_for_update().get(pk=release.pk)
        now = timezone.now()
        if release.status == DistrictRelease.Status.PLANNED:
            release.first_confirmed_by, release.first_confirmed_at = by, now
            release.status = DistrictRelease.Status.CONFIRMED
        elif release.status == DistrictRelease.Status.CONFIRMED:
            if release.first_confirmed_by_id == by.pk:
                raise ValidationError(
                    _("A second, different administrator confirms: you confirmed it already."),
                    code="same_administrator",
                )
            release.second_confirmed_by, release.second_confirmed_at = by, now
            release.status = DistrictRelease.Status.APPROVED
        else:
            raise ValidationError(_("This release was already confirmed twice."), code="already_confirmed")
        release.save()
    return release


def _export(release: DistrictRelease) -> None:
    """Write every selected student's records (the family copy's JSON) into one ZIP for the district."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for student in Student.objects.filter(pk__in=release.student_ids).order_by("pk"):
            data = family_copy_json(student=student)
            archive.writestr(
                f"student-{student.pk}.json",
                json.dumps(data, cls=CopyEncoder, ensure_ascii=False, indent=2),
            )
    content = buffer.getvalue()
    name = default_storage.save(f"{EXPORT_FOLDER}/release-{release.pk}.zip", ContentFile(content))
    DistrictRelease.objects.filter(pk=release.pk).update(
        export_name=name, export_sha256=hashlib.sha256(content).hexdigest()
    )


def summary_signature(summary: dict) -> str:
    """HMAC-SHA256 of the summary with the secret key: shows it was not edited since it was written."""
    canonical = json.dumps(summary, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hmac.new(settings.SECRET_KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def release_carry_out(*, release_id: int) -> DistrictRelease:
    """Export, then anonymise, an approved release; resumable: a step done is not done again."""
    release = DistrictRelease.objects.get(pk=release_id)
    if release.status != DistrictRelease.Status.APPROVED:
        return release
    started = timezone.now()
    if not release.export_name:
        _export(release)
        release.refresh_from_db()
    students_anonymise(student_ids=release.student_ids, reason=Anonymisation.Reason.DISTRICT, release=release)
    anonymised = Anonymisation.objects.filter(release=release)
    finished = timezone.now()
    summary = {
        "district": release.district,
        "district_id_prefix": release.district_id_prefix,
        "sites": sorted(site.name for site in release.sites.all()),
        "students_selected": len(release.student_ids),
        "students_anonymised": anonymised.count(),
        "students_left_as_they_were": len(release.student_ids) - anonymised.count(),
        "dry_run": release.plan,
        "planned_by": str(release.planned_by),
        "planned_at": release.created_at,
        "first_confirmed_by": str(release.first_confirmed_by),
        "first_confirmed_at": release.first_confirmed_at,
        "second_confirmed_by": str(release.second_confirmed_by),
        "second_confirmed_at": release.second_confirmed_at,
        "export_file": release.export_name,
        "export_sha256": release.export_sha256,
        "started_at": started,
        "finished_at": finished,
    }
    # Stored as JSON and signed over the JSON's own values (dates as text), so it can be checked later.
    summary = json.loads(json.dumps(summary, cls=DjangoJSONEncoder))
    DistrictRelease.objects.filter(pk=release.pk).update(
        status=DistrictRelease.Status.DONE,
        summary=summary,
        signature=summary_signature(summary),
        finished_at=finished,
    )
    release.refresh_from_db()
    return release


def release_signature_holds(release: DistrictRelease) -> bool:
    """Whether the stored summary still has the signature written with it."""
    return bool(release.signature) and hmac.compare_digest(
        release.signature, summary_signature(release.summary)
    )


def release_exports_expire(*, now=None) -> int:
    """Delete the exports of releases finished longer ago than ARTWORX_RELEASE_EXPORT_DAYS (name and
    digest stay in the summary)."""
    now = now or timezone.now()
    old = DistrictRelease.objects.filter(
        status=DistrictRelease.Status.DONE,
        export_deleted_at__isnull=True,
        finished_at__lt=now - timedelta(days=settings.ARTWORX_RELEASE_EXPORT_DAYS),
    ).exclude(export_name="")
    count = 0
    for release in old:
        default_storage.delete(release.export_name)
        DistrictRelease.objects.filter(pk=release.pk).update(export_deleted_at=now)
        count += 1
    return count
