import factory
from django.contrib.auth import get_user_model

from tickets import services
from tickets.models import Category, Location, Team, TeamMembership, Theme


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@univ.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("secret-pass-123")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Équipe {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Catégorie {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Lieu {n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


def make_technician(team, *, supervisor=False, **kwargs):
    user = UserFactory(**kwargs)
    TeamMembership.objects.create(team=team, user=user, is_manager=supervisor)
    return user


def make_ticket(*, requester=None, team=None, **kwargs):
    """File a ticket through the service, as the portal does."""
    kwargs.setdefault("title", "L'imprimante ne répond plus")
    return services.ticket_create(
        requester=requester or UserFactory(), team=team or TeamFactory(), **kwargs
    )
