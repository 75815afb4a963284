import factory

from accounts.models import User

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password(TEST_PASSWORD)


class AnalystFactory(UserFactory):
    username = factory.Sequence(lambda n: f"analyst{n}")
    global_role = User.GlobalRole.ANALYST


class CoordinatorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"coordinator{n}")
    global_role = User.GlobalRole.COORDINATOR
    is_staff = True
