from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from campaigns.roles import roles_sync_after_migrate

        # Later migrations add permissions; keep the Admin role holding all of them.
        post_migrate.connect(roles_sync_after_migrate, sender=self)

        # Moderation rules hide arriving posts inside ingestion's transaction.
        from campaigns.curation.moderation import posts_stored_receiver
        from hashtags.signals import SENDER, posts_stored

        posts_stored.connect(
            posts_stored_receiver, sender=SENDER, dispatch_uid="campaigns.curation.moderation"
        )
