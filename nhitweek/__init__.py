"""nhitweek: the dashboard that runs a hashtag campaign such as National Health IT Week."""

from .celery import app as celery_app

__all__ = ("celery_app",)
