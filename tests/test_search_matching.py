"""The pure matching rules: parsing queries, normalising spellings, scoring and reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from mhtool.domain.matching import (
    Match,
    address_query,
    free_query,
    fts_match_expression,
    fts_words,
    organisation_query,
    person_query,
    score_address,
    score_organisation,
    score_person,
)
from mhtool.domain.normalise import (
    city_key,
    name_key,
    organisation_core_key,
    person_name_parts,
    street_key,
)
from mhtool.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "street", "number", "addition", "postcode", "city"),
    [
        ("Dorpsstraat 12a", "dorpsstraat", 12, "A", "", ""),
        ("Dorpstraat 12 A", "dorpstraat", 12, "A", "", ""),
        ("dorpsstr. 12-a", "dorpsstraat", 12, "A", "", ""),
        ("1701 ab 12a", "", 12, "A", "1701AB", ""),
        ("1701AB", "", None, "", "1701AB", ""),
        ("Dorpsstraat 89 2, Den Helder", "dorpsstraat", 89, "2", "", "denhelder"),
        (
            "Burg. de Vriesstraat 3/1 1701 AB Heerhugowaard",
            "burgemeesterdevriesstraat",
            3,
            "1",
            "1701AB",
            "heerhugowaard",
        ),
        ("Dorpsstraat", "dorpsstraat", None, "", "", ""),
    ],
)
def test_address_queries_are_parsed_into_parts(
    text: str, street: str, number: int | None, addition: str, postcode: str, city: str
) -> None:
    q = address_query(text)
    assert (q.street_key, q.house_number, q.house_addition, q.postcode, q.city_key) == (
        street,
        number,
        addition,
        postcode,
        city,
    )


def test_address_query_needs_a_street_or_postcode() -> None:
    with pytest.raises(ValidationError, match="straat of een postcode"):
        address_query("12a")


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Jan de Vries", ("jan", "j", "vries")),
        ("J. de Vries", ("j", "j", "vries")),
        ("de Vries, Jan", ("jan", "j", "vries")),
        ("JAN DE VRIËS", ("jan", "j", "vries")),
        ("Søren Øberg", ("soren", "s", "oberg")),
        ("Vries", ("", "", "vries")),
        # An apostrophe inside a word joins it: the O of O'Brien is no first initial.
        ("Seán O'Brien", ("sean", "s", "obrien")),
        ("O’Brien", ("", "", "obrien")),
        ("Lucas d'Ancona", ("lucas", "l", "dancona")),
        ("Ångström-Müller", ("", "", "muller")),  # one word: a double surname
        ("Zoë Ångström-Müller", ("zoe", "z", "muller")),
    ],
)
def test_person_name_parts(name: str, parts: tuple[str, str, str]) -> None:
    assert person_name_parts(name) == parts


def test_keys_fold_spelling() -> None:
    assert street_key("dorpsstr.") == street_key("Dorpsstraat ") == "dorpsstraat"
    assert name_key("Jürgen Müller") == "jurgen muller"
    assert name_key("Łukasz Straße") == "lukasz strasse"
    assert city_key("Den-Helder") == city_key("den helder")
    assert name_key("Kwekerij 't Hof") == "kwekerij t hof"  # a leading apostrophe separates
    assert organisation_core_key("Kwekerij De Tulp B.V.") == organisation_core_key(
        "kwekerij de tulp"
    )


def _person(
    q_text: str,
    stored: str,
    *,
    q_birth: dt.date | None = None,
    q_year: int | None = None,
    birth_date: str | None = None,
    birth_year: int | None = None,
) -> Match | None:
    q = person_query(q_text, q_birth, q_year)
    given, _initial, surname = person_name_parts(stored)
    return score_person(
        q,
        name_key_=name_key(stored),
        given_key=given,
        surname_key=surname,
        birth_date=birth_date,
        birth_year=birth_year,
    )


def test_same_name_and_birth_date_is_exact() -> None:
    match = _person(
        "Jan de Vries",
        "Jan de Vries",
        q_birth=dt.date(1990, 3, 12),
        birth_date="1990-03-12",
        birth_year=1990,
    )
    assert match is not None and match.exact
    assert match.reasons == ("zelfde naam", "zelfde geboortedatum")


def test_initial_matches_full_first_name() -> None:
    match = _person("J. de Vries", "Jan de Vries")
    assert match is not None and not match.exact
    assert "zelfde achternaam, voorletter komt overeen" in match.reasons


def test_typo_in_surname_is_similar_spelling() -> None:
    match = _person("Jan de Vris", "Jan de Vries")
    assert match is not None
    assert match.reasons[0] == "vergelijkbare naam (spelling)"


def test_birth_year_only_on_one_side_still_matches() -> None:
    match = _person(
        "Jan de Vries", "Jan de Vries", q_year=1990, birth_date="1990-03-12", birth_year=1990
    )
    assert match is not None
    assert any("zelfde geboortejaar" in r for r in match.reasons)
    assert not match.exact


def test_other_birth_date_lowers_the_score() -> None:
    same = _person(
        "Jan de Vries",
        "Jan de Vries",
        q_birth=dt.date(1990, 3, 12),
        birth_date="1990-03-12",
        birth_year=1990,
    )
    other = _person(
        "Jan de Vries",
        "Jan de Vries",
        q_birth=dt.date(1990, 3, 12),
        birth_date="1990-07-01",
        birth_year=1990,
    )
    assert same is not None and other is not None
    assert other.score < same.score
    assert "andere geboortedatum in hetzelfde jaar" in other.reasons


def test_different_person_is_no_match() -> None:
    assert _person("Piet Jansen", "Jan de Vries") is None


def _address(
    q_text: str,
    *,
    street: str = "Dorpsstraat",
    number: int = 12,
    addition: str = "A",
    postcode: str = "1701AB",
    city: str = "Heerhugowaard",
) -> Match | None:
    return score_address(
        address_query(q_text),
        street_key_=street_key(street),
        house_number=number,
        house_addition=addition,
        postcode=postcode,
        city_key_=city_key(city),
    )


def test_address_reasons() -> None:
    exact = _address("1701 ab 12a")
    assert exact is not None and exact.exact
    assert exact.reasons == ("zelfde postcode en huisnummer",)
    typo = _address("Dorpstraat 12 A")
    assert typo is not None and not typo.exact
    assert typo.reasons == ("vergelijkbare straatnaam (spelling) en zelfde huisnummer",)
    other_city = _address("Dorpsstraat 12a, Den Helder")
    assert other_city is not None and "andere plaats" in other_city.reasons
    assert other_city.score < typo.score
    same_city = _address("dorpsstr. 12-a Heerhugowaard")
    assert same_city is not None and same_city.exact


def test_house_892_is_not_89_2() -> None:
    assert _address("1701AB 892", number=89, addition="2") is None
    match = _address("1701AB 89-2", number=89, addition="2")
    assert match is not None and match.exact


def test_organisation_by_kvk_and_name() -> None:
    q = organisation_query(kvk="12345678")
    exact = score_organisation(q, name_key_="x", core_key="x", kvk="12345678")
    assert exact is not None and exact.reasons == ("zelfde KvK-nummer",)
    by_name = score_organisation(
        organisation_query("kwekerij de tlup"),
        name_key_="kwekerij de tulp b v",
        core_key="kwekerij de tulp",
        kvk="",
    )
    assert by_name is not None and by_name.reasons == ("vergelijkbare naam (spelling)",)


@pytest.mark.parametrize(
    "text", ['jan"', "O'Brien", "AND OR NOT", "NEAR(a b)", "*", '"', "x" * 150, "a:b ^c"]
)
def test_fts_input_never_becomes_syntax(text: str) -> None:
    expression = fts_match_expression(fts_words(text))
    for word in expression.split(" "):
        if word:
            assert word.startswith('"') and word.endswith('"') and word.count('"') == 2


def test_free_query_parts() -> None:
    q = free_query("Dorpstraat 12 A")
    assert q.address is not None and q.address.house_number == 12
    assert q.person is None
    q = free_query("J. de Vries")
    assert q.person is not None and q.person.surname_key == "vries"
    q = free_query("Dorpsstraat")  # a street alone, without a number
    assert q.address is not None and q.address.street_key == "dorpsstraat"
    assert address_query("Dorpsstraat, Heerhugowaard").city_key == "heerhugowaard"
    assert address_query("Dorpsstraat, Heerhugowaard").street_key == "dorpsstraat"
    with pytest.raises(ValidationError, match="leeg"):
        free_query("   ")
    with pytest.raises(ValidationError, match="te lang"):
        free_query("a" * 500)


def test_stopwords_are_dropped_unless_nothing_else_is_left() -> None:
    assert fts_words("de kassen van het bedrijf") == ("kassen", "bedrijf")
    assert fts_words("de") == ("de",)


def test_all_of_any_expression() -> None:
    from mhtool.domain.matching import fts_all_of_any

    assert fts_all_of_any([["kwekerij"], ["tulp", "tulpe"], []]) == (
        '("kwekerij") AND ("tulp" OR "tulpe")'
    )
    assert fts_all_of_any([['x"y']]) == ""


def test_another_birth_year_never_reaches_the_minimum_score() -> None:
    """store.search.person_candidates_by_given reads only the query's birth year (or unknown)
    from its index because of this: the best name with another birth year is never shown."""
    for stored in ("Jan de Vries", "Vries Jan"):
        assert _person("Jan de Vries", stored, q_year=1990, birth_year=1991) is None
        assert (
            _person(
                "Jan de Vries",
                stored,
                q_birth=dt.date(1990, 3, 12),
                birth_date="1991-03-12",
                birth_year=1991,
            )
            is None
        )
