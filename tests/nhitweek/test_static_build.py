"""The production build's static step: collectstatic with the production storage, as the image
runs it, succeeds and its manifest serves every file a template names."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC_TAG = re.compile(r"\{%\s*static\b")
LITERAL_STATIC_TAG = re.compile(r"""\{%\s*static\s+(['"])(?P<name>[^'"]+)\1\s*%\}""")
# The production settings module itself, loaded as the Dockerfile's build step loads it; only
# STATIC_ROOT moves, into the test's own directory, before the storage is first used.
COLLECT = (
    "import sys, django; django.setup(); "
    "from django.conf import settings; settings.STATIC_ROOT = sys.argv[1]; "
    "from django.core.management import call_command; "
    "call_command('collectstatic', interactive=False, verbosity=0); "
    "print(settings.STORAGES['staticfiles']['BACKEND'])"
)


def templates() -> list[Path]:
    return sorted(
        path
        for folder in (ROOT / "templates", *ROOT.glob("*/templates"))
        for path in folder.rglob("*.html")
    )


def template_static_names() -> set[str]:
    names: set[str] = set()
    for template in templates():
        names |= {match["name"] for match in LITERAL_STATIC_TAG.finditer(template.read_text())}
    return names


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The STATIC_ROOT a production collectstatic filled, and the storage it used."""
    base = tmp_path_factory.mktemp("production-static")
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env |= {
        "DJANGO_SETTINGS_MODULE": "nhitweek.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "build.invalid",
        "NHITWEEK_VAR_DIR": str(base / "var"),
    }
    root = base / "staticfiles"
    result = subprocess.run(
        [sys.executable, "-c", COLLECT, str(root)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root, result.stdout.split()[-1]


def test_collectstatic_with_the_production_storage_writes_a_manifest(collected) -> None:
    root, backend = collected
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert (root / "staticfiles.json").is_file()


def test_the_manifest_holds_every_file_the_templates_name(collected) -> None:
    root, _ = collected
    paths = json.loads((root / "staticfiles.json").read_text())["paths"]
    names = template_static_names()
    assert {"vendor/chart.umd.min.js", "vendor/htmx.min.js", "css/site.css"} <= names
    assert sorted(names - set(paths)) == []
    for name in names:
        assert (root / paths[name]).is_file(), paths[name]


def test_templates_name_static_files_only_as_literals_the_check_can_read() -> None:
    for template in templates():
        text = template.read_text()
        tags, literals = STATIC_TAG.findall(text), LITERAL_STATIC_TAG.findall(text)
        assert len(tags) == len(literals), template.relative_to(ROOT)


def test_every_file_the_templates_name_is_committed() -> None:
    # A fresh clone must serve the pages without a build step (no Node): nothing is ignored.
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = [f"static/{name}" for name in sorted(template_static_names())]
    tracked = subprocess.run(
        ["git", "ls-files", "--", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert sorted(set(files) - set(tracked)) == []
