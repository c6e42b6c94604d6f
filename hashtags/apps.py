from django.apps import AppConfig


class HashtagsConfig(AppConfig):
    name = "hashtags"
    verbose_name = "Hashtags and sources"
