"""The dependency rules of docs/architecture.md, checked on the source as text (no import runs).

1. `hashtags` never reaches `campaigns`: no import, no `apps.get_model("campaigns", ...)`, no
   dotted string naming a campaigns module.
2. A feature package of `campaigns` (FEATURES) imports only its own modules and the shared
   ones; the shared modules import no feature. The entry points (ENTRY_POINTS: the app's admin,
   apps, management commands and template tags, the site's URLs and Celery app) wire features
   together, and the demo seeds every feature through its services (never its views).
3. Only `hashtags.tagsets` knows the tag-set key format ("3,7"): no other module splits,
   builds or matches inside a key (passing a whole key along, as tagset_key made it, is fine).

Each rule is a function from {path: source} to a list of violations, so the last tests show
each rule catching a small broken example.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("campaigns", "hashtags", "nhitweek")
FEATURES = ("home", "dashboard", "curation", "wall", "stories", "chats", "accounts", "jobs", "demo")
ENTRY_POINTS = (
    "campaigns/admin/",
    "campaigns/apps.py",
    "campaigns/management/",
    "campaigns/templatetags/",
    "nhitweek/",
)
KEY_HOME = "hashtags/tagsets.py"
Sources = dict[str, str]


def project_sources() -> Sources:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _module_of(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: str, source: str) -> Iterator[str]:
    """Every module this file imports (relative ones resolved), and every campaigns or hashtags
    module it names in a string (get_model, include, import_module, patch targets)."""
    package = _module_of(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model":
            if node.args and isinstance(node.args[0], ast.Constant):
                yield str(node.args[0].value).split(".")[0]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield from re.findall(r"^(?:campaigns|hashtags)(?:\.\w+)+$", node.value)


def _feature_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "campaigns" and parts[1] in FEATURES:
        return parts[1]
    return None


def hashtags_to_campaigns(sources: Sources) -> list[str]:
    return [
        f"{path} reaches {name}"
        for path, source in sources.items()
        if path.startswith("hashtags/")
        for name in imported(path, source)
        if name == "campaigns" or name.startswith("campaigns.")
    ]


def across_features(sources: Sources) -> list[str]:
    found = []
    for path, source in sources.items():
        if not path.startswith("campaigns/") or path.startswith(ENTRY_POINTS):
            continue
        own = _feature_of(_module_of(path))
        for name in set(imported(path, source)):
            other = _feature_of(name)
            if other is None or other == own:
                continue
            if own == "demo" and name.split(".")[2:3] not in (["views"], ["urls"]):
                continue  # the demo seeds features through their services
            found.append(f"{path} imports {name}")
    return sorted(found)


# Knowing the key format: matching inside a key (lookups, SQL string functions), splitting or
# padding one. Passing a key along whole (as tagset_key made it) is not knowing it.
_KEY_FORMAT = re.compile(
    r"\bkey__(?:contains|icontains|startswith|endswith|regex|iregex)\b"
    r"|\.key\.(?:split|strip|partition)\("
    r"|(?:strpos|string_to_array|position|split_part)\([^)]*\bkey\b"
    r"|\|\|\s*\w+\.key\s*\|\|"
    r"|Concat\([^)]*[\"']key[\"']"
)


def _docstring_lines(source: str) -> set[int]:
    """Lines of docstrings and other bare string statements: prose, not code."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def tagset_key_outside_home(sources: Sources) -> list[str]:
    found = []
    for path, source in sources.items():
        if path == KEY_HOME:
            continue
        prose = _docstring_lines(source)
        for number, line in enumerate(source.splitlines(), 1):
            code = line.split("#", 1)[0]
            if number not in prose and _KEY_FORMAT.search(code):
                found.append(f"{path}:{number}: {line.strip()}")
    return found


# --- The project keeps the rules -------------------------------------------------------------


def test_hashtags_never_reaches_campaigns():
    assert hashtags_to_campaigns(project_sources()) == []


def test_a_feature_imports_only_itself_and_the_shared_modules():
    assert across_features(project_sources()) == []


def test_only_hashtags_tagsets_knows_the_tag_set_key_format():
    assert tagset_key_outside_home(project_sources()) == []


# --- Each rule catches a broken example ------------------------------------------------------


def test_the_rules_catch_a_small_broken_example():
    broken = {
        "hashtags/polling.py": "from campaigns.models import Campaign\n",
        "hashtags/archive/reading.py": (
            "from django.apps import apps\nCampaign = apps.get_model('campaigns', 'Campaign')\n"
        ),
        "hashtags/ingest/rows.py": "from .results import UpsertResult\n",
        "campaigns/wall/selectors.py": (
            "from campaigns.dashboard.top import campaign_top_posts\n"
            "from campaigns.posts import tag_labels\n"
        ),
        "campaigns/posts.py": (
            "from . import curation\nfrom .curation.services import post_curate\n"
        ),
        "campaigns/demo/seed.py": (
            "from campaigns.curation.services import post_curate\n"
            "from campaigns.wall.views import wall\n"
        ),
        "campaigns/admin/story.py": "from campaigns.curation.services import story_review\n",
        "campaigns/dashboard/volume.py": (
            "from hashtags.models import TagSet\n"
            "ids = [int(p) for p in tagset.key.split(',')]\n"
            "TagSet.objects.filter(key__contains=',3,')\n"
            "SQL = \"JOIN m ON strpos(',' || t.key || ',', ',7,') > 0\"\n"
            "TagSet.objects.filter(key__in=keys)  # whole keys passed along: fine\n"
        ),
        KEY_HOME: "from .models import TagSet\nTagSet.objects.filter(key__startswith='3,')\n",
    }
    assert hashtags_to_campaigns(broken) == [
        "hashtags/polling.py reaches campaigns.models",
        "hashtags/polling.py reaches campaigns.models.Campaign",
        "hashtags/archive/reading.py reaches campaigns",
    ]
    assert across_features(broken) == [
        "campaigns/demo/seed.py imports campaigns.wall.views",
        "campaigns/demo/seed.py imports campaigns.wall.views.wall",
        "campaigns/posts.py imports campaigns.curation",
        "campaigns/posts.py imports campaigns.curation.services",
        "campaigns/posts.py imports campaigns.curation.services.post_curate",
        "campaigns/wall/selectors.py imports campaigns.dashboard.top",
        "campaigns/wall/selectors.py imports campaigns.dashboard.top.campaign_top_posts",
    ]
    assert tagset_key_outside_home(broken) == [
        "campaigns/dashboard/volume.py:2: ids = [int(p) for p in tagset.key.split(',')]",
        "campaigns/dashboard/volume.py:3: TagSet.objects.filter(key__contains=',3,')",
        "campaigns/dashboard/volume.py:4: "
        "SQL = \"JOIN m ON strpos(',' || t.key || ',', ',7,') > 0\"",
    ]
