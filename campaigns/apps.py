from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import roles_sync_after_migrate

        # Later migrations add permissions; keep the Admin role holding all of them.
        post_migrate.connect(roles_sync_after_migrate, sender=self)
