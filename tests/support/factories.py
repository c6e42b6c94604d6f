"""Factories for the models tests need; build real rows, never mocks."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.models import Campaign, Series
from campaigns.services import campaign_hashtags_set
from hashtags.models import Hashtag, Source


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("password")


class HashtagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hashtag
        django_get_or_create = ("name",)

    display = factory.Sequence(lambda n: f"Tag{n}")
    name = factory.LazyAttribute(lambda h: h.display.casefold())


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ("slug",)

    name = "National Health IT Week"
    slug = "nhit-week"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    start = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    end = factory.LazyAttribute(lambda c: c.start + timedelta(days=7))
    timezone = "America/New_York"
    public = False

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create:
            campaign_hashtags_set(campaign=self, hashtags=extracted or ["NHITweek", "HITworks"])


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    platform = "demo"
    base_url = ""
