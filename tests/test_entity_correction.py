"""`persoon|adres|organisatie wijzig` and `signaal wijzig --rol`: every field of a linked
person, address or organisation can be corrected with a reason, search follows the corrected
text, the old value stays in the history, and `ongedaan` takes it back."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.backend_helpers import stored_dump
from tests.conftest import Backend, Cli
from tests.mhtool_process import SIGNAL_ARGS, child_env, run_mhtool

NewSignal = Callable[..., str]

# Correcting a person, address or organisation, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")
ENTITIES = (
    "--persoon", "naam=Jan de Vreis; rol=slachtoffer; geboren=1990",
    "--adres", "straat=Kerkstraat; nummer=142; postcode=1701AB; plaats=Hoorn",
    "--organisatie", "naam=Tulp BV",
)  # fmt: skip


def test_corrections_of_person_address_and_organisation(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    ref = new_signal(*ENTITIES)
    for args in (
        ("persoon", "wijzig", "1", "--naam", "Jan de Vries", "--geboren", "12-03-1990"),
        ("adres", "wijzig", "1", "--nummer", "14-2"),
        ("organisatie", "wijzig", "1", "--kvk", "12345678", "--sector", "horeca"),
        ("signaal", "wijzig", ref, "--rol", "id=1; rol=dader"),
    ):
        result = cli(*args, "--reden", "tikfout")
        assert result.exit_code == 0, (args, result.output)
    data = json.loads(cli("signaal", "toon", ref, "--json").stdout)
    assert data["personen"][0]["naam"] == "Jan de Vries"
    assert data["personen"][0]["geboortedatum"] == "1990-03-12"
    assert data["personen"][0]["rol"] == "dader"
    assert data["adressen"][0]["huisnummer_volledig"] == "14-2"
    assert data["organisaties"][0] == {
        "id": 1, "naam": "Tulp BV", "kvk": "12345678", "sector": "horeca",
    }  # fmt: skip
    found = cli("zoek", "--persoon", "Jan de Vries")
    assert found.exit_code == 0 and "persoon 1" in found.stdout
    assert backend.rows("SELECT house_key FROM address") == [("14-2",)]
    old_names = [
        json.loads(str(c))["name"]
        for (c,) in backend.rows(
            "SELECT changes FROM history WHERE entity = 'person' AND action = "
            "'gecorrigeerd'",
        )
    ]  # fmt: skip
    assert old_names == [{"oud": "Jan de Vreis", "nieuw": "Jan de Vries"}]
    rol = json.loads(cli("signaal", "toon", ref, "--json").stdout)["historie"]
    assert any(h["actie"] == "rol-gecorrigeerd" for h in rol)

    for _ in range(4):
        assert cli("ongedaan", "--ja").exit_code == 0
    back = json.loads(cli("signaal", "toon", ref, "--json").stdout)
    assert back["personen"][0]["naam"] == "Jan de Vreis" and back["personen"][0]["rol"] == (
        "slachtoffer"
    )
    assert back["adressen"][0]["huisnummer_volledig"] == "142"
    assert back["organisaties"][0]["kvk"] == ""


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("persoon", "wijzig", "1", "--naam", "X"), 2, "reden"),
        (("persoon", "wijzig", "1", "--reden", "r"), 2, "Geef op wat er verandert"),
        (("persoon", "wijzig", "1", "--naam", "", "--reden", "r"), 2, "leeg"),
        (("persoon", "wijzig", "9", "--naam", "X", "--reden", "r"), 3, "bestaat niet"),
        (("persoon", "wijzig", "1", "--geboren", "2027", "--reden", "r"), 2, "toekomst"),
        (("persoon", "wijzig", "1", "--naam", "Jan de Vreis", "--reden", "r"), 2, "niets"),
        (("adres", "wijzig", "1", "--nummer", "0", "--reden", "r"), 2, "bestaat niet"),
        (("organisatie", "wijzig", "1", "--kvk", "12", "--reden", "r"), 2, "KvK"),
        (("signaal", "wijzig", "{ref}", "--rol", "id=7; rol=dader", "--reden", "r"), 3, "niet"),
        (("signaal", "wijzig", "{ref}", "--rol", "id=1; rol=baas", "--reden", "r"), 2, "Rol"),
    ],
)
def test_bad_entity_corrections_leave_the_file_unchanged(
    cli: Cli,
    new_signal: NewSignal,
    backend: Backend,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    ref = new_signal(*ENTITIES)
    before = stored_dump(backend)
    result = cli(*(a.format(ref=ref) for a in args))
    assert result.exit_code == code, result.output
    assert message.lower() in result.stderr.lower() and result.stderr.count("\n") == 1
    assert stored_dump(backend) == before


@pytest.mark.slow
def test_installed_mhtool_corrects_a_person(backend: Backend) -> None:
    env = child_env(backend.target)
    made = run_mhtool(
        *SIGNAL_ARGS, "--omschrijving", "x", "--persoon", "naam=Jan de Vreis", env=env
    )
    assert made.returncode == 0, made.stderr
    fixed = run_mhtool(
        "persoon", "wijzig", "1", "--naam", "Jan de Vries", "--reden", "tikfout", env=env
    )
    assert fixed.returncode == 0, fixed.stderr
    shown = run_mhtool("persoon", "toon", "1", env=env)
    assert "Jan de Vries" in shown.stdout


@pytest.mark.slow
def test_installed_mhtool_corrects_an_address_and_an_organisation(backend: Backend) -> None:
    env = child_env(backend.target)
    made = run_mhtool(
        *SIGNAL_ARGS, "--omschrijving", "x", "--adres", "straat=Kerkstraat; nummer=142",
        "--organisatie", "naam=Tulp BV", env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    address = run_mhtool("adres", "wijzig", "1", "--nummer", "14-2", "--reden", "r", env=env)
    assert address.returncode == 0, address.stderr
    org = run_mhtool(
        "organisatie", "wijzig", "1", "--kvk", "12345678", "--reden", "r", "--json", env=env
    )
    assert org.returncode == 0, org.stderr
    assert json.loads(org.stdout)["kvk"] == "12345678"
    shown = run_mhtool("adres", "toon", "1", env=env)
    assert "Kerkstraat 14-2" in shown.stdout
    refused = run_mhtool("adres", "wijzig", "1", "--nummer", "14-2", env=env)
    assert refused.returncode == 2 and refused.stderr.startswith("Fout: ")
