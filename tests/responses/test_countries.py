import pytest

from responses.models import Country
from responses.services import countries_load

pytestmark = pytest.mark.django_db


def test_loads_europe_the_us_canada_ukraine_and_named_third_countries():
    countries_load()

    codes = set(Country.objects.values_list("code", flat=True))
    assert {"US", "CA", "UA", "GB", "FR", "DE", "PL", "RO", "SK", "HU", "TR", "NO", "IS", "CH"} <= codes
    assert {"AU", "JP", "KR", "NZ"} <= codes
    assert Country.objects.filter(is_european=True).count() >= 48


def test_membership_flags():
    countries_load()

    eu = set(Country.objects.filter(is_eu_member=True).values_list("code", flat=True))
    nato = set(Country.objects.filter(is_nato_member=True).values_list("code", flat=True))
    assert len(eu) == 27
    assert len(nato) == 32
    assert {"US", "CA", "TR", "NO", "GB", "FI", "SE"} <= nato
    assert "AT" in eu and "AT" not in nato
    assert "NO" in nato and "NO" not in eu
    assert Country.objects.get(code="NO").name == "Norway"  # quoted: YAML would read NO as false


def test_the_coordinator_ukraine_and_the_aggressor_are_not_invitable():
    countries_load()

    not_invitable = set(Country.objects.filter(is_invitable=False).values_list("code", flat=True))
    assert not_invitable == {"US", "UA", "RU", "BY"}


def test_loading_twice_changes_nothing_and_updates_a_changed_flag():
    assert countries_load() > 50
    assert countries_load() == 0

    Country.objects.filter(code="SE").update(is_nato_member=False, name="Sweden?")
    assert countries_load() == 1
    sweden = Country.objects.get(code="SE")
    assert (sweden.name, sweden.is_nato_member) == ("Sweden", True)
