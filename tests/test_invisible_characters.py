"""Invisible and line-breaking characters (issue 10): every Unicode format character (Cf, such
as U+200D, U+2060, U+00AD and the tag characters U+E0000-E007F) and line/paragraph separator
(Zl, Zp) is shown as a visible code on the terminal and escaped in --json; one-line fields
refuse line breaks, so stored text cannot print a forged line that looks like another record."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.signal_helpers import query

# Invisible within a line (allowed in names: they are shown as code, never acted on) ...
HIDDEN = "\u200d\u2060\U000e0041\u00ad\u180e\U000e007f"
# ... and line and paragraph separators, allowed only in free text such as the omschrijving.
SEPARATORS = "\u2028\u2029"
NAME = f"Jan{HIDDEN}de Vries"


def _raw_hidden(text: str) -> list[str]:
    return [hex(ord(c)) for c in text if unicodedata.category(c) in ("Cf", "Zl", "Zp")]


@pytest.fixture
def hostile_signal(cli: Cli) -> str:
    made = cli(
        "signaal", "nieuw", "--datum", "01-11-2026", "--gemeente", "Texel",
        "--melder", f"M {NAME}", "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut",
        "--omschrijving", f"O {NAME}\nTweede regel {HIDDEN}{SEPARATORS}",
        "--persoon", f"naam={NAME}; rol=slachtoffer",
        "--adres", f"straat=Dorp{HIDDEN}straat; nummer=1; plaats=Texel",
        "--organisatie", f"naam=Bedrijf{HIDDEN} BV",
        "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return str(json.loads(made.stdout)["id"])


VIEWS = [
    ("signaal", "toon", "MH-2026-0001"),
    ("signaal", "lijst"),
    ("zoek", "Jan de Vries"),
    ("zoek", "--adres", "Dorpstraat 1"),
    ("persoon", "toon", "1"),
    ("adres", "toon", "1"),
    ("organisatie", "toon", "1"),
]


@pytest.mark.parametrize("view", VIEWS, ids=[" ".join(v) for v in VIEWS])
def test_hidden_characters_show_as_code_and_json_escapes_them(
    cli: Cli, hostile_signal: str, db_path: Path, view: tuple[str, ...]
) -> None:
    shown = cli(*view)
    assert shown.exit_code in (0, 3), shown.output
    assert _raw_hidden(shown.output) == []
    if view[0] in ("signaal", "persoon") and view[1] == "toon":
        for code in ("\\u200d", "\\u2060", "\\U000e0041", "\\xad"):
            assert code in shown.stdout, code
    as_json = cli(*view, "--json")
    assert as_json.exit_code in (0, 3), as_json.output
    assert _raw_hidden(as_json.stdout) == []
    # Escaped, not lost: the JSON still reads back as exactly what is stored.
    if view[:2] == ("persoon", "toon"):
        assert NAME in json.dumps(json.loads(as_json.stdout), ensure_ascii=False)
    assert query(db_path, "SELECT name FROM person")[0][0] == NAME


@pytest.mark.parametrize(
    "option, value",
    [
        ("--melder", "P. Jansen\nMH-2026-0009  Texel"),
        ("--afdeling", "Burgerzaken\r\nMH-2026-0009"),
        ("--persoon", "naam=Jan\u2028Piet; rol=slachtoffer"),
        ("--persoon", "naam=Jan; rol=slachtoffer; nationaliteit=Pools\x85x"),
        ("--adres", "straat=Dorpstraat\nKerkweg; nummer=1"),
        ("--adres", "straat=Dorpstraat; nummer=1; plaats=Texel\u2029Den Burg"),
        ("--organisatie", "naam=Bedrijf\vBV"),
    ],
)
def test_one_line_fields_refuse_line_breaks(
    cli: Cli, db_path: Path, option: str, value: str
) -> None:
    result = cli(
        "signaal", "nieuw", "--datum", "01-11-2026", "--gemeente", "Texel",
        "--melder", "P. Jansen", "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut",
        "--omschrijving", "Een omschrijving\nmag wel meer regels hebben.",
        option, value,
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert "mag maar één regel zijn" in result.stderr
    assert not db_path.exists() or query(db_path, "SELECT count(*) FROM signal") == [(0,)]


# Invisible but not of category Cf (Default_Ignorable_Code_Point in Unicode): the combining
# grapheme joiner, Hangul fillers (a known way to make a name look empty or like another), and
# variation selectors. They reached the terminal and --json raw.
IGNORABLE = "\u034f\u115f\u1160\u3164\uffa0\u180b\ufe0f\U000e0100"


@pytest.mark.parametrize(
    "view",
    [("signaal", "toon", "MH-2026-0001"), ("persoon", "toon", "1"), ("zoek", "Jan")],
    ids=["signaal toon", "persoon toon", "zoek"],
)
def test_other_invisible_characters_show_as_code_too(cli: Cli, view: tuple[str, ...]) -> None:
    made = cli(
        "signaal", "nieuw", "--datum", "01-11-2026", "--gemeente", "Texel",
        "--melder", f"M{IGNORABLE}", "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut",
        "--omschrijving", f"O{IGNORABLE}", "--persoon", f"naam=Jan{IGNORABLE}; rol=slachtoffer",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    for args in (view, (*view, "--json")):
        shown = cli(*args)
        assert shown.exit_code == 0, shown.output
        assert [hex(ord(c)) for c in shown.output if c in IGNORABLE] == []
    assert "\\u3164" in cli(*view).output
    data = json.loads(cli(*view, "--json").stdout)
    assert IGNORABLE in json.dumps(data, ensure_ascii=False)  # round-trips unchanged


def test_free_text_cannot_print_a_forged_line_at_column_0(cli: Cli) -> None:
    """The omschrijving keeps its lines, and was printed from column 0: a description could
    end in lines that look exactly like the signal's own fields ('Melder  Burgemeester') or a
    person table. Its lines are now indented under their heading."""
    forged = "Melder     Burgemeester"
    made = cli(
        "signaal", "nieuw", "--datum", "01-11-2026", "--gemeente", "Texel",
        "--melder", "P. Jansen", "--kanaal", "mail", "--vorm", "arbeid", "--niet-acuut",
        "--omschrijving", f"Gewone tekst.\n\n{forged}\nPersonen", "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    shown = cli("signaal", "toon", "MH-2026-0001").stdout.splitlines()
    assert not any(line.startswith(forged) for line in shown)
    assert "Personen" not in shown
    assert any(line.strip() == forged for line in shown)
    assert any(line.startswith("Melder") and "P. Jansen" in line for line in shown)
