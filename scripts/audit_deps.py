"""`make audit`: pip-audit over the lock files, with the accepted exceptions of audit-ignore.txt.

pip-audit says "No known vulnerabilities found" even when it could look up none of the packages
(no network, a mirror without the per-release JSON), so this reads its JSON report and says
plainly what was and was not audited. Exit 1: a vulnerability, a package left unaudited while
others were audited, a bad or expired exception. Nothing audited at all (the vulnerability
service is out of reach) is a loud warning, and a failure with AUDIT_REQUIRED=1.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
LOCK_FILES = ("requirements.txt", "requirements-run.txt", "requirements-dev.txt")
IGNORE_FILE = ROOT / "audit-ignore.txt"
ENTRY = re.compile(
    r"--ignore-vuln\s+(?P<id>[A-Za-z0-9][\w.:-]*)\s+#\s*(?P<why>.*?)[;,]?\s*"
    r"until\s+(?P<until>\d{4}-\d{2}-\d{2})"
)


def accepted_vulns(text: str, *, today: datetime.date) -> tuple[list[str], list[str]]:
    """The ids of the valid, unexpired exceptions, and one problem per line that is not one."""
    ids: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = ENTRY.fullmatch(line)
        if not match or not match["why"].strip():
            problems.append(f"line {number}: expected `--ignore-vuln ID  # why; until YYYY-MM-DD`")
            continue
        try:
            until = datetime.date.fromisoformat(match["until"])
        except ValueError:
            problems.append(f"line {number}: {match['until']} is not a date")
            continue
        if until < today:
            problems.append(f"line {number}: the exception for {match['id']} ended on {until}")
            continue
        ids.append(match["id"])
    return ids, problems


class Verdict(NamedTuple):
    failed: bool
    lines: list[str]


def judge(report: dict, *, required: bool) -> Verdict:
    """Read pip-audit's JSON report: what is vulnerable, what could not be audited."""
    deps = report.get("dependencies", [])
    skipped = [dep for dep in deps if "skip_reason" in dep]
    audited = [dep for dep in deps if "skip_reason" not in dep]
    vulnerable = [dep for dep in audited if dep.get("vulns")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            pin = f"{dep['name']}=={dep['version']}"
            lines.append(f"VULNERABLE {pin}: {vuln['id']} (fixed in {fixes})")
    if audited and skipped:
        lines += [f"NOT AUDITED {dep['name']}: {dep['skip_reason']}" for dep in skipped]
    if vulnerable or (audited and skipped):
        return Verdict(failed=True, lines=lines)
    if not deps or not audited:
        return Verdict(
            failed=required,
            lines=[
                f"WARNING: none of the {len(deps)} locked packages could be audited: the "
                "vulnerability service did not answer from this machine. Run `make audit` where "
                "it does (AUDIT_REQUIRED=1 makes this a failure)."
            ],
        )
    summary = f"{len(audited)} locked packages audited: no known vulnerability"
    return Verdict(failed=False, lines=[summary])


def main() -> int:
    ignored, problems = accepted_vulns(IGNORE_FILE.read_text(), today=datetime.date.today())
    for problem in problems:
        print(f"audit-ignore.txt: {problem}", file=sys.stderr)
    if problems:
        return 1
    command = [
        str(Path(sys.executable).with_name("pip-audit")),
        *("--progress-spinner", "off", "--disable-pip", "--require-hashes", "--format", "json"),
        *(arg for vuln in ignored for arg in ("--ignore-vuln", vuln)),
        *(arg for lock in LOCK_FILES for arg in ("-r", str(ROOT / lock))),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr or result.stdout, file=sys.stderr)
        return 1
    verdict = judge(report, required=os.environ.get("AUDIT_REQUIRED") == "1")
    print("\n".join(verdict.lines), file=sys.stderr if verdict.failed else sys.stdout)
    return 1 if verdict.failed else 0


if __name__ == "__main__":
    sys.exit(main())
