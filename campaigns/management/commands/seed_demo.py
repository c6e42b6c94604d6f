"""manage.py seed_demo: the NHIT Week demo campaign, the demo source, one login per role."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from campaigns.demo import demo_seed


class Command(BaseCommand):
    help = (
        "Create NHIT Week 2026 (#NHITweek #HITworks #IHeartHIT), its 2025 edition, the demo "
        "source and one user per role, and print the logins. Safe to run twice."
    )

    def handle(self, *args, **opts):
        result = demo_seed()
        if result.created:
            self.stdout.write("created: " + ", ".join(result.created))
        else:
            self.stdout.write("nothing to do: the demo is already seeded")
        self.stdout.write("logins (password unless you changed it):")
        for username, password, role in result.logins:
            self.stdout.write(f"  {role:<10} {username:<10} {password}")
