"""Production settings: the shared cache, the lock timeout, and no developer tools."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "artworx.example.org"}


def settings_of(env: dict, code: str) -> dict:
    """Run `code` in a fresh interpreter with config.settings loaded under `env`; return its JSON."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "ARTWORX_DEVTOOLS"}
    }
    script = (
        "import json, os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup()\n"
        "from django.conf import settings\n" + code
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", script],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_it_leaves_the_developer_tools_out_of_production():
    found = settings_of(PRODUCTION, "print(json.dumps({'apps': settings.INSTALLED_APPS}))")
    assert not any(app.startswith("devtools") for app in found["apps"])
    with_debug = settings_of({"DEBUG": "true"}, "print(json.dumps({'apps': settings.INSTALLED_APPS}))")
    assert "devtools.apps.DevtoolsConfig" in with_debug["apps"]


def test_it_keeps_the_embedded_default_cache_in_memory():
    found = settings_of({"DEBUG": "true"}, "print(json.dumps(settings.CACHES))")
    assert found["default"]["BACKEND"].endswith("LocMemCache")


def test_it_gives_postgresql_a_lock_timeout_no_jit_and_the_price_of_random_reads_from_memory():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/artworx"}
    code = "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    assert settings_of(env, code)["options"] == "-c lock_timeout=10000 -c jit=off -c random_page_cost=1.1"
    on_disks = settings_of({**env, "ARTWORX_RANDOM_PAGE_COST": "4"}, code)
    assert on_disks["options"].endswith("-c random_page_cost=4.0")


@pytest.mark.redis
def test_it_shares_one_redis_cache_between_processes_apart_from_the_broker():
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    env = {**PRODUCTION, "REDIS_URL": redis_url}
    code = (
        "from django.core.cache import cache\n"
        "cache.set('settings-test', os.getpid(), 30)\n"
        "print(json.dumps({'location': settings.CACHES['default']['LOCATION'], 'pid': os.getpid()}))"
    )
    writer = settings_of(env, code)
    reader = settings_of(
        env, "from django.core.cache import cache\nprint(json.dumps(cache.get('settings-test')))"
    )
    assert reader == writer["pid"]  # written by one process, read by another
    assert writer["location"].endswith("/1") and not redis_url.endswith("/1")


def test_only_a_process_that_prints_loads_weasyprint():
    """Every app, model and address loaded, as a web worker or a command does: WeasyPrint (0.6 s, with
    Pango) waits until something is printed (artworx.pdf)."""
    found = settings_of(
        PRODUCTION,
        "import sys\nfrom django.urls import get_resolver\nget_resolver().url_patterns\n"
        "print(json.dumps({'loaded': 'weasyprint' in sys.modules}))",
    )
    assert found == {"loaded": False}
