"""Erasure removes a name in every form search would find it (domain/name_redaction.py)."""

from __future__ import annotations

import pytest

from mhtool.domain.name_redaction import REDACTED, redaction_for

X = REDACTED


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("José Müller-Smit", "José Müller-Smit werkt daar", f"{X} werkt daar"),
        ("José Müller-Smit", "jose muller-smit ook gezien", f"{X} ook gezien"),
        ("José Müller-Smit", "Müller-Smit bang; JOSÉ MÜLLER-SMIT weg", f"{X} bang; {X} weg"),
        ("José Müller-Smit", "J. Müller-Smit en J Muller-Smit", f"{X} en {X}"),
        ("Jan de Vries", "Gesprek met J. de Vries, daarna Vries en de Vries", None),
        ("de Vries, Jan", "Jan  de   Vries belde", f"{X} belde"),
        ("Łukasz Wiśniewski", "lukasz wisniewski en Wiśniewski", f"{X} en {X}"),
        ("Seán O'Brien", "O'Brien kwam; Sean O'Brien ook", f"{X} kwam; {X} ook"),
    ],
)
def test_every_searchable_form_is_removed(name: str, text: str, expected: str | None) -> None:
    redaction = redaction_for(name)
    assert redaction is not None
    result = redaction.apply(text)
    if expected is None:
        assert "Vries" not in result and "vries" not in result
        assert result.startswith("Gesprek met ")
    else:
        assert result == expected


def test_other_words_keep_their_own_spelling() -> None:
    redaction = redaction_for("Anna Jansen")
    assert redaction is not None
    text = "Café 'De Ühr': Anna Jansen, Annabel en Jansens"
    assert redaction.apply(text) == f"Café 'De Ühr': {X}, Annabel en Jansens"


def test_a_first_name_alone_is_reported_not_removed() -> None:
    redaction = redaction_for("Pietje Puk")
    assert redaction is not None
    text = "Pietje zei dat P. Puk sliep"
    assert redaction.apply(text) == f"Pietje zei dat {X} sliep"
    assert redaction.first_name_left(redaction.apply(text))
    assert not redaction.first_name_left("Piet zei niets")


@pytest.mark.parametrize("name", ["", "  ", "X"])
def test_nothing_to_remove_for_an_empty_name(name: str) -> None:
    assert redaction_for(name) is None


def test_hyphen_and_space_are_the_same_gap() -> None:
    redaction = redaction_for("Zoë Ångström-Müller")
    assert redaction is not None
    text = "Zoe Angstrom Muller gezien; mevr. Angström Muller ook"
    assert redaction.apply(text) == f"{X} gezien; mevr. {X} ook"


def test_the_surname_alone_only_in_the_persons_own_signals() -> None:
    """Elsewhere it may be a relative: 'Piet Ångström-Müller, de vader' keeps his name."""
    redaction = redaction_for("Zoë Ångström-Müller")
    assert redaction is not None
    text = "Zoe Angstrom-Muller en de vader Piet Ångström-Müller"
    assert redaction.apply(text, own_signal=False) == f"{X} en de vader Piet Ångström-Müller"
    assert redaction.apply(text, own_signal=True) == f"{X} en de vader Piet {X}"
