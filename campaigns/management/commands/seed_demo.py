"""manage.py seed_demo: the NHIT Week demo campaigns with their chats and posts, the demo source,
a first curation of the wall, and one login per role."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from campaigns.demo.seed import demo_seed


class Command(BaseCommand):
    help = (
        "Create NHIT Week 2026 (#NHITweek #HITworks #IHeartHIT) and its 2025 edition with their "
        "Tuesday and Thursday chats and demo posts, poll the demo source once, pin and feature "
        "posts and approve sample stories on the wall, create one user per role and print the "
        "logins. Safe to run twice."
    )

    def handle(self, *args, **opts):
        started = time.monotonic()
        result = demo_seed()
        if result.created:
            self.stdout.write("created: " + ", ".join(result.created))
        else:
            self.stdout.write("nothing to do: the demo is already seeded")
        for fill in result.editions:
            if fill.poll_outcome and fill.poll_outcome != "ok":
                self.stdout.write(f"the demo poll for {fill.slug} ended: {fill.poll_outcome}")
        if result.wall.note:
            self.stdout.write(result.wall.note)
        if result.created:
            self.stdout.write(f"seeded in {time.monotonic() - started:.1f} s")
        self.stdout.write("logins (password unless you changed it):")
        for username, password, role in result.logins:
            self.stdout.write(f"  {role:<10} {username:<10} {password}")
