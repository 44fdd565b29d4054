"""The agreement's default wording in English and Spanish, the policy row, and the agreements of
contracts opened before electronic signatures: recorded as signed on paper, never as e-signatures."""

import hashlib
import json

from django.db import migrations
from django.utils import timezone

from students.wording import WORDING

def _hash(content):
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def forwards(apps, schema_editor):
    AgreementTemplate = apps.get_model("students", "AgreementTemplate")
    IndependentStudyPolicy = apps.get_model("students", "IndependentStudyPolicy")
    Contract = apps.get_model("students", "Contract")
    ContractCourse = apps.get_model("students", "ContractCourse")
    AgreementVersion = apps.get_model("students", "AgreementVersion")
    for language, wording in WORDING.items():
        AgreementTemplate.objects.get_or_create(language=language, defaults=wording)
    IndependentStudyPolicy.objects.get_or_create(pk=1)
    now = timezone.now()
    today = timezone.localdate()
    courses = {}
    for course in ContractCourse.objects.order_by("pk"):
        courses.setdefault(course.contract_id, []).append(
            {"subject_area": course.subject_area, "title": course.title, "credits": str(course.credits)}
        )
    versions = []
    for contract in Contract.objects.select_related("student", "site").order_by("pk").iterator():
        student = contract.student
        born = student.date_of_birth
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        content = {
            "contract": contract.pk,
            "on_paper": True,
            "note": "Signed on paper before electronic signatures; recorded when they were introduced.",
            "student": {"name": f"{student.first_name} {student.last_name}", "grade": student.grade},
            "site": contract.site.name,
            "courses": courses.get(contract.pk, []),
            "begins_on": contract.started_on.isoformat(),
            "ends_on": contract.due_on.isoformat(),
            "instructional_days": contract.length_days + contract.extension_days,
        }
        versions.append(
            AgreementVersion(
                contract_id=contract.pk,
                number=1,
                status="signed",
                content=content,
                content_hash=_hash(content),
                requires_guardian=age < 18,
                on_paper=True,
                signed_at=now,
            )
        )
    AgreementVersion.objects.bulk_create(versions, batch_size=500)


def backwards(apps, schema_editor):
    apps.get_model("students", "AgreementVersion").objects.filter(on_paper=True).delete()


class Migration(migrations.Migration):
    dependencies = [("students", "0009_agreements")]

    operations = [migrations.RunPython(forwards, backwards)]
