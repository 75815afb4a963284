import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from coordination.demo import seedable_countries
from questionnaire.answers import answer_errors, field_is_shown
from questionnaire.models import Field
from responses.models import Country, Membership, Response, ResponseAuthor, ResponseVersion

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Membership, Response, ResponseAuthor, ResponseVersion, Country)
    }


def test_seeds_thirty_countries_with_three_accounts_each_plus_analyst_and_coordinator(us_round):
    call_command("seed_demo", password=PASSWORD)

    assert Membership.objects.values("country").distinct().count() == 30
    for role in ("drafter", "approver", "viewer"):
        user = User.objects.get(username=f"fr.{role}")
        assert user.check_password(PASSWORD)
        assert user.memberships.get().role == role
        assert user.memberships.get().country.code == "FR"
    assert User.objects.get(username="analyst").is_analyst
    coordinator = User.objects.get(username="coordinator")
    assert coordinator.is_coordinator and coordinator.is_staff and not coordinator.is_superuser
    assert User.objects.count() == 30 * 3 + 2


def test_demo_responses_are_varied_enough_for_every_view(us_round):
    call_command("seed_demo", password=PASSWORD)

    submitted = Response.objects.filter(status=Response.Status.SUBMITTED)
    drafts = Response.objects.filter(status=Response.Status.DRAFT)
    assert submitted.count() >= 15
    assert 1 <= drafts.count() <= 5
    assert drafts.filter(submitted_version__isnull=True).count() == drafts.count()
    # Some countries have not started at all.
    answering = set(ResponseAuthor.objects.values_list("country__code", flat=True))
    seeded = set(Membership.objects.values_list("country__code", flat=True))
    assert seeded - answering

    joint = [r for r in Response.objects.all() if r.author_links.count() > 1]
    assert len(joint) == 1
    assert set(joint[0].authors.values_list("code", flat=True)) == {"EE", "LV", "LT"}

    answers = [r.submitted_version.answers for r in submitted.select_related("submitted_version")]
    troops = [a.get("q1_troops_offered", {}).get("value") for a in answers]
    assert any(t for t in troops), "some countries offer troops"
    assert any(a["q1_send_troops"] == "no" for a in answers), "some countries send none"
    assert len({tuple(a.get("q3_short_term", {}).get("selected", [])) for a in answers}) > 5
    assert len({a["q2_force_size"]["value"] for a in answers}) > 2


def test_every_demo_answer_is_valid_for_its_field(us_round):
    call_command("seed_demo", password=PASSWORD, countries=12)

    fields = {f.key: f for f in Field.objects.select_related("taxonomy", "show_when_field")}
    codes = set(Country.objects.values_list("code", flat=True))
    for version in ResponseVersion.objects.all():
        for key, value in version.answers.items():
            field = fields[key]
            options = set(field.taxonomy.options.values_list("key", flat=True)) if field.taxonomy else set()
            assert answer_errors(field, value, option_keys=options, country_codes=codes) == [], (key, value)
            assert field_is_shown(field, version.answers), key


def test_demo_texts_say_they_are_invented(us_round):
    call_command("seed_demo", password=PASSWORD, countries=8)

    texts = [
        value
        for version in ResponseVersion.objects.all()
        for value in version.answers.values()
        if isinstance(value, str) and len(value) > 30
    ]
    assert texts
    assert all(text.startswith("Illustrative demo answer") for text in texts)


def test_running_twice_duplicates_nothing(us_round):
    call_command("seed_demo", password=PASSWORD)
    before = counts()

    call_command("seed_demo", password=PASSWORD)

    assert counts() == before


def test_more_countries_for_benchmarks(us_round):
    call_command("seed_demo", password=PASSWORD, countries=50)

    assert Membership.objects.values("country").distinct().count() == 50
    assert not Membership.objects.filter(country__code__in=["US", "UA", "RU", "BY"]).exists()
    with pytest.raises(CommandError, match=f"between 1 and {len(seedable_countries())}"):
        call_command("seed_demo", password=PASSWORD, countries=500)


def test_password_comes_from_the_environment(us_round, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-environment")
    call_command("seed_demo", countries=1)

    assert User.objects.get(username="gb.drafter").check_password("from-the-environment")


def test_refuses_without_a_password(us_round, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="--password or DEMO_PASSWORD"):
        call_command("seed_demo", countries=1)
    assert not User.objects.exists()


def test_refuses_before_the_questionnaire_is_loaded(countries):
    with pytest.raises(CommandError, match="load_questionnaire"):
        call_command("seed_demo", password=PASSWORD)
