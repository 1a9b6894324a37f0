"""`mhtool jaarverslag`: the figures of a generated year, computed independently here from what
the test itself recorded through the CLI, must match the report; suppression and exports."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mhtool.domain.enums import Form, Measure, Partner, Role, Step
from tests.conftest import Backend, Cli
from tests.statistics_helpers import stored_state

TODAY = dt.date.today()
YEAR = (TODAY - dt.timedelta(days=150)).year
FIRST = max(dt.date(YEAR, 1, 1), TODAY - dt.timedelta(days=330))
LAST = min(dt.date(YEAR, 12, 31), TODAY - dt.timedelta(days=120))
MUNICIPALITIES = ["Dijk en Waard", "Koggenland", "Hollands Kroon", "Texel"]


def nl(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


@dataclass
class Planned:
    """What the test records for one signal, and so knows without asking mhtool."""

    ref: str = ""
    municipality: str = ""
    forms: list[str] = field(default_factory=list)
    received: dt.date = TODAY
    acute: bool = False
    avim_days: int | None = None
    durations: dict[int, int] = field(default_factory=dict)  # completed visits of steps 1-4
    closed_on: dt.date | None = None
    feedback: bool | None = None
    criminal: bool | None = None
    shelter: bool | None = None
    partners: set[str] = field(default_factory=set)
    action_partner: str = ""
    comensha: bool = False
    referral: str = ""
    measure_status: str = ""  # last status of bibob
    persons: list[tuple[str, str]] = field(default_factory=list)  # (role, band)


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def record_year(cli: Cli, count: int, seed: int = 11) -> list[Planned]:
    rng = random.Random(seed)
    window = (LAST - FIRST).days
    planned: list[Planned] = []
    for _ in range(count):
        p = Planned()
        p.municipality = rng.choice(MUNICIPALITIES)
        p.forms = sorted(set(rng.sample([f.value for f in Form], rng.choice([1, 1, 2]))))
        if len(p.forms) > 1 and "onbekend" in p.forms:  # 'onbekend' next to a known form drops
            p.forms.remove("onbekend")
        p.received = FIRST + dt.timedelta(days=rng.randint(0, max(window, 0)))
        p.acute = rng.random() < 0.3
        args = [
            "signaal", "nieuw", "--datum", nl(p.received), "--gemeente", p.municipality,
            "--melder", "Fictieve Melder", "--kanaal", "mail", "--omschrijving", "Fictief.",
        ]  # fmt: skip
        for form in p.forms:
            args += ["--vorm", form]
        if p.acute:
            args.append("--acuut")
            if rng.random() < 0.7:
                p.avim_days = rng.choice([0, 0, 1, 2, 5])
                moment = p.received + dt.timedelta(days=p.avim_days)
                args += ["--avim-geinformeerd", f"{nl(moment)} 10:00"]
        for _ in range(rng.choice([0, 1, 2])):
            role = rng.choice([r.value for r in Role])
            kind = rng.choice(["minor", "adult", "either", "unknown"])
            birth = {"minor": YEAR - 10, "adult": YEAR - 40, "either": YEAR - 18}.get(kind)
            band = {
                "minor": "minderjarig",
                "adult": "meerderjarig",
                "either": "mogelijk minderjarig",
                "unknown": "niet vastgelegd",
            }[kind]
            spec = f"naam=Fictief Persoon {len(planned)}{len(p.persons)}; rol={role}"
            if birth is not None:
                spec += f"; geboren={birth}"
            args += ["--persoon", spec]
            p.persons.append((role, band))
        p.ref = json.loads(ok(cli(*args, "--json")).stdout)["id"]
        _walk(cli, rng, p)
        planned.append(p)
    return planned


def _walk(cli: Cli, rng: random.Random, p: Planned) -> None:
    day = p.received
    stop_at = rng.choice([2, 3, 5, 5, 5, 5])  # some signals stay open
    skip_4 = rng.random() < 0.25
    step = 1
    while step < min(stop_at, 5):
        target = step + 1
        if target == 4 and skip_4 and stop_at == 5:
            target = 5
        if target == 5:
            break
        wait = rng.randint(0, 12)
        day += dt.timedelta(days=wait)
        p.durations.setdefault(step, wait)
        extra = ["--controle", "niets"] if target == 2 else []
        if target == 3:
            partner = rng.choice(["oe-wijk", "zorgcoordinator"])
            extra = ["--partner", partner]
            p.partners.add(partner)
        if target == 4:
            partner = rng.choice(["riec", "querido"])
            extra = ["--partner", partner]
            p.partners.add(partner)
        ok(cli("signaal", "stap", p.ref, "--datum", nl(day), *extra))
        step = target
    if stop_at != 5:
        return
    wait = rng.randint(0, 12)
    day += dt.timedelta(days=wait)
    p.durations[step] = wait
    conclusion = rng.choice(["geen", "verder-onderzoek", "duiding"])
    args = ["signaal", "stap", p.ref, "--naar", "5", "--datum", nl(day), "--conclusie", conclusion]
    if step != 4:
        args += ["--reden", "geen RIEC nodig"]
    p.feedback = rng.random() < 0.6
    args.append("--terugkoppeling" if p.feedback else "--geen-terugkoppeling")
    p.criminal = rng.choice([True, False, None])
    if p.criminal is not None:
        args.append("--strafrechtelijk" if p.criminal else "--niet-strafrechtelijk")
    p.shelter = rng.choice([True, None])
    if p.shelter:
        args.append("--opvang")
    if p.acute and p.avim_days is None:
        args += ["--geen-avim", "melder trok het signaal in"]
    if conclusion == "verder-onderzoek" and rng.random() < 0.5:
        p.action_partner = "om"
        args += ["--actie", "Afstemmen", "--actie-partner", "om"]
    ok(cli(*args))
    p.closed_on = day
    if rng.random() < 0.4:
        p.comensha = True
        ok(cli("signaal", "uitkomst", p.ref, "--comensha", "--datum", nl(day)))
    if rng.random() < 0.3:
        p.referral = "wijkteam"
        ok(cli("signaal", "uitkomst", p.ref, "--verwijzing", "wijkteam", "--reden", "hulp"))
    if rng.random() < 0.4:
        ok(cli("signaal", "uitkomst", p.ref, "--maatregel", "bibob", "--status", "overwogen"))
        p.measure_status = "overwogen"
        if rng.random() < 0.5:
            ok(cli("signaal", "uitkomst", p.ref, "--maatregel", "bibob", "--status", "opgelegd"))
            p.measure_status = "opgelegd"


# --- independent arithmetic ---------------------------------------------------------------------


def expected_median(values: list[int]) -> str:
    if not values:
        return "niet vastgelegd"
    ordered = sorted(values)
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def expected_p90(values: list[int]) -> str:
    """By definition: the smallest value v with at least 90% of the values <= v."""
    if not values:
        return "niet vastgelegd"
    for v in sorted(set(values)):
        if sum(1 for x in values if x <= v) >= math.ceil(0.9 * len(values) - 1e-9):
            return str(v)
    raise AssertionError("unreachable")


def table(report: dict[str, Any], key: str) -> dict[str, list[Any]]:
    return {str(row[0]): row[1:] for row in report["tabellen"][key]["rijen"]}


@pytest.fixture
def year_db(cli: Cli) -> list[Planned]:
    return record_year(cli, 24)


@pytest.mark.usefixtures("backend")
def test_yearly_report_reproduces_independent_figures(cli: Cli, year_db: list[Planned]) -> None:
    planned = year_db
    report = json.loads(ok(cli("jaarverslag", str(YEAR), "--json")).stdout)
    assert report["jaar"] == YEAR and report["signalen"] == len(planned)

    per_municipality = Counter(p.municipality for p in planned)
    rows = table(report, "gemeenten")
    assert {k: v[0] for k, v in rows.items() if k != "Totaal"} == dict(per_municipality)
    assert rows["Totaal"] == [len(planned)]

    rows = table(report, "vormen")
    for form in Form:
        assert rows[form.label] == [sum(1 for p in planned if form.value in p.forms)]

    rows = table(report, "doorlooptijd")
    for step in (1, 2, 3, 4):
        values = [p.durations[step] for p in planned if step in p.durations]
        assert rows[Step(step).label] == [
            len(values),
            expected_median(values),
            expected_p90(values),
        ], step
    closed = [p for p in planned if p.closed_on]
    totals = [(p.closed_on - p.received).days for p in closed if p.closed_on]
    assert rows["ontvangst tot afronding"] == [
        len(totals),
        expected_median(totals),
        expected_p90(totals),
    ]

    rows = table(report, "terugkoppeling")
    given = sum(1 for p in closed if p.feedback)
    assert rows["Afgerond"] == [len(closed)]
    assert rows["Terugkoppeling gegeven"] == [given]
    assert rows["Geen terugkoppeling"] == [len(closed) - given]
    assert rows["niet vastgelegd"] == [0]
    assert rows["Aandeel melders met terugkoppeling"] == [f"{round(100 * given / len(closed))}%"]

    rows = table(report, "uitkomsten")
    criminal = Counter(p.criminal for p in closed)
    assert rows["Strafrechtelijk opgepakt"] == [criminal[True], criminal[False], criminal[None]]
    shelter = Counter(p.shelter for p in closed)
    assert rows["Opvang geregeld"] == [shelter[True], 0, shelter[None]]
    assert rows["Geregistreerd bij CoMensha"][0] == sum(p.comensha for p in planned)
    assert rows["Doorverwezen"][0] == sum(1 for p in planned if p.referral)

    rows = table(report, "partners")
    for code in ("oe-wijk", "zorgcoordinator", "riec", "querido", "om", "wijkteam"):
        discussed = sum(1 for p in planned if code in p.partners)
        actions = sum(1 for p in planned if p.action_partner == code)
        referrals = sum(1 for p in planned if p.referral == code)
        if discussed or actions or referrals:
            assert rows[Partner(code).label] == [discussed, actions, referrals], code

    rows = table(report, "maatregelen")
    statuses = Counter(p.measure_status for p in planned if p.measure_status)
    if statuses:
        assert rows[Measure.BIBOB.label] == [
            0,
            statuses["overwogen"],
            statuses["opgelegd"],
            statuses["afgezien"],
        ]

    rows = table(report, "minderjarigen")
    bands = ("minderjarig", "mogelijk minderjarig", "meerderjarig", "niet vastgelegd")
    for role in Role:
        found = Counter(b for p in planned for r, b in p.persons if r == role.value)
        assert rows[role.label] == [found[b] for b in bands], role
    with_minor = sum(1 for p in planned if any(b == "minderjarig" for _, b in p.persons))
    assert rows["Signalen met een minderjarige"][0] == with_minor

    rows = table(report, "acuut")
    acute = [p for p in planned if p.acute]
    days = [p.avim_days for p in acute if p.avim_days is not None]
    assert rows["Acute signalen"] == [len(acute)]
    assert rows["AVIM ingeschakeld (tijdstip vastgelegd)"] == [len(days)]
    with_reason = sum(1 for p in acute if p.avim_days is None and p.closed_on)
    assert rows["Afgerond zonder AVIM, met reden"] == [with_reason]
    assert rows["AVIM niet vastgelegd"] == [len(acute) - len(days) - with_reason]
    assert rows["AVIM op de dag van ontvangst"] == [sum(1 for d in days if d == 0)]
    assert rows["Dagen tot AVIM: mediaan"] == [expected_median(days)]
    assert rows["Dagen tot AVIM: P90"] == [expected_p90(days)]

    # Suppression: every count 1..4 is '<5', no total or statistic gives one away.
    hidden = json.loads(ok(cli("jaarverslag", str(YEAR), "--onderdruk", "5", "--json")).stdout)
    municipalities = table(hidden, "gemeenten")
    for name, count in per_municipality.items():
        assert municipalities[name] == ["<5" if count < 5 else count]
    small = any(0 < c < 5 for c in per_municipality.values())
    assert municipalities["Totaal"] == (["x"] if small else [len(planned)])
    for key, spec in hidden["tabellen"].items():
        for row in spec["rijen"]:
            for cell in row[1:]:
                assert not (isinstance(cell, int) and 0 < cell < 5), (key, row)
    lead = table(hidden, "doorlooptijd")
    for label, (n, med, p) in lead.items():
        if n == "<5":
            assert (med, p) == ("x", "x"), label


def test_yearly_report_files_and_bad_input(
    cli: Cli, backend: Backend, year_db: list[Planned], tmp_path: Path
) -> None:
    target = tmp_path / "jaar.xlsx"
    written = ok(cli("jaarverslag", str(YEAR), "--uitvoer", str(target), "--onderdruk", "3"))
    assert "onderdrukt" in written.stdout
    assert target.read_bytes().startswith(b"PK")
    assert (target.stat().st_mode & 0o777) == 0o600
    html = ok(cli("jaarverslag", str(YEAR), "--formaat", "html", "--uitvoer", "-")).stdout
    assert "<script" not in html and f"Jaarverslag aanpak mensenhandel {YEAR}" in html
    assert "Fictief" not in html  # no names, no free text
    again = cli("jaarverslag", str(YEAR), "--uitvoer", str(target))
    assert again.exit_code != 0 and "--overschrijf" in again.stderr
    before = stored_state(backend)
    for args, message in (
        (("20x6",), "geen jaartal"),
        (("1999",), "kan niet"),
        ((str(YEAR), "--onderdruk", "1"), "--onderdruk 1 kan niet"),
        ((str(YEAR), "--formaat", "pdf"), "onbekend"),
        ((str(YEAR), "--json", "--uitvoer", "x.md"), "--json"),
    ):
        result = cli("jaarverslag", *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("Fout: ") and message in result.stderr
    assert stored_state(backend) == before
    empty = json.loads(ok(cli("jaarverslag", "2001", "--json")).stdout)
    lead = table(empty, "doorlooptijd")
    assert lead["stap 1 ontvangst signaal"] == [0, "niet vastgelegd", "niet vastgelegd"]
    assert table(empty, "terugkoppeling")["Aandeel melders met terugkoppeling"] == [
        "niet vastgelegd"
    ]


@pytest.mark.usefixtures("backend")
def test_an_annulled_signal_is_left_out(cli: Cli) -> None:
    planned = record_year(cli, 3, seed=5)
    extra = ok(
        cli(
            "signaal", "nieuw", "--datum", nl(FIRST), "--gemeente", "Texel", "--melder", "X",
            "--kanaal", "mail", "--omschrijving", "Dubbel.", "--json",
        )
    )  # fmt: skip
    ref = json.loads(extra.stdout)["id"]
    assert json.loads(ok(cli("jaarverslag", str(YEAR), "--json")).stdout)["signalen"] == 4
    ok(cli("signaal", "vervallen", ref, "--reden", "dubbel ingevoerd"))
    report = json.loads(ok(cli("jaarverslag", str(YEAR), "--json")).stdout)
    assert report["signalen"] == len(planned) == 3


def test_yearly_counts_for_partners_group_per_signal() -> None:
    """Two referrals of one signal to the same partner count once."""
    from mhtool.domain.annual_report import YearRows, build_annual_report

    signals = [
        {
            "id": 1, "municipality": "Texel", "acute": 0, "avim_informed_at": None,
            "received_on": f"{YEAR}-02-01", "step": 5, "conclusion": "geen",
            "feedback_given": 1, "criminal_case": None, "shelter_arranged": None,
            "closed_on": f"{YEAR}-02-03", "created_at": "",
        }
    ]  # fmt: skip
    outcomes = [
        {"signal_id": 1, "kind": "verwijzing", "on_date": f"{YEAR}-02-04", "value": None,
         "measure": None, "measure_status": None, "partner": "wijkteam"},
    ] * 2  # fmt: skip
    rows = YearRows(YEAR, signals, [], [], [], [], outcomes, [])
    report = build_annual_report(rows).as_json()
    counts: dict[str, list[Any]] = defaultdict(list)
    for row in report["tabellen"]["partners"]["rijen"]:
        counts[row[0]] = row[1:]
    assert counts[Partner.SOCIAL_TEAM.label] == [0, 0, 1]


@pytest.mark.usefixtures("backend")
def test_no_shown_total_gives_a_suppressed_count_away(cli: Cli) -> None:
    """The header's number of signals is the total of the gemeente table, 'Afgerond' the total
    of the feedback rows (and the count of 'ontvangst tot afronding'), 'Acute signalen' the
    total of the AVIM rows: each is withheld when one of its parts is suppressed, as the
    gemeente table's own 'Totaal' is. Otherwise 13 - 6 - 5 gives Texel's 2 back."""
    day = nl(FIRST + dt.timedelta(days=10))
    closing = nl(FIRST + dt.timedelta(days=20))

    def log(gemeente: str, *extra: str) -> str:
        result = ok(
            cli(
                "signaal",
                "nieuw",
                "--datum",
                day,
                "--gemeente",
                gemeente,
                "--melder",
                "Fictief",
                "--afdeling",
                "balie",
                "--kanaal",
                "mail",
                "--vorm",
                "arbeid",
                "--omschrijving",
                "Fictief",
                *extra,
                "--ja",
                "--json",
            )
        )
        return str(json.loads(result.stdout)["id"])

    def close(ref: str, *extra: str) -> None:
        ok(
            cli(
                "signaal",
                "stap",
                ref,
                "--naar",
                "5",
                "--reden",
                "afgerond",
                "--datum",
                closing,
                "--conclusie",
                "geen",
                *extra,
            )
        )

    for _ in range(6):
        close(log("Dijk en Waard", "--niet-acuut"), "--terugkoppeling")
    for _ in range(5):
        ref = log("Koggenland", "--acuut", "--avim-geinformeerd", f"{day} 10:00")
        close(ref, "--terugkoppeling")
    texel = log("Texel", "--acuut")
    close(texel, "--geen-terugkoppeling", "--geen-avim", "trok in")
    ok(cli("signaal", "uitkomst", texel, "--strafrechtelijk", "--datum", closing))
    log("Texel", "--acuut")  # open, AVIM not recorded

    plain = json.loads(ok(cli("jaarverslag", str(FIRST.year), "--json")).stdout)
    assert plain["signalen"] == 13
    assert table(plain, "terugkoppeling")["Afgerond"] == [12]
    assert table(plain, "acuut")["Acute signalen"] == [7]
    assert table(plain, "doorlooptijd")["ontvangst tot afronding"][0] == 12

    hidden = json.loads(
        ok(cli("jaarverslag", str(FIRST.year), "--onderdruk", "5", "--json")).stdout
    )
    assert table(hidden, "gemeenten")["Texel"] == ["<5"]
    assert hidden["signalen"] == "x"
    assert table(hidden, "terugkoppeling")["Afgerond"] == ["x"]
    assert table(hidden, "acuut")["Acute signalen"] == ["x"]
    assert table(hidden, "doorlooptijd")["ontvangst tot afronding"][0] == "x"
    # Where the parts of a row add up to a number shown elsewhere (12 closed signals), one
    # suppressed part is not enough: the next smallest is withheld too, and so is the share.
    feedback = table(hidden, "terugkoppeling")
    assert feedback["Geen terugkoppeling"] == ["<5"]
    assert feedback["Terugkoppeling gegeven"] == ["x"]
    assert feedback["Aandeel melders met terugkoppeling"] == ["x"]
    assert table(hidden, "uitkomsten")["Strafrechtelijk opgepakt"] == ["<5", 0, "x"]
    assert table(plain, "uitkomsten")["Strafrechtelijk opgepakt"] == [1, 0, 11]
    markdown = ok(cli("jaarverslag", str(FIRST.year), "--onderdruk", "5", "--uitvoer", "-")).stdout
    assert "**Signalen:** x" in markdown
