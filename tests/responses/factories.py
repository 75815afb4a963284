import factory

from responses.models import Country, Membership
from tests.accounts.factories import UserFactory


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.LazyAttribute(lambda c: f"Country {c.code}")
    is_european = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    country = factory.SubFactory(CountryFactory)
    role = Membership.Role.DRAFTER
