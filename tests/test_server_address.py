"""How a server is named and the security policy on the wire (issue 14, point 4): the pure
parser in mhtool.domain.server_address. The end-to-end refusals through the CLI are in
tests/test_server_security.py."""

from __future__ import annotations

import pytest

from mhtool.domain.server_address import (
    LAB_OVERRIDE_ENV,
    ServerAddress,
    is_server_address,
    lab_override_set,
    parse_server_address,
)
from mhtool.errors import ExitCode, ValidationError

SECRET = "Geheim-w8woord!"


def parse(text: str, *, lab: bool = False) -> ServerAddress:
    return parse_server_address(text, lab_override=lab)


def refusal(text: str, *, lab: bool = False) -> str:
    with pytest.raises(ValidationError) as caught:
        parse(text, lab=lab)
    assert caught.value.exit_code == ExitCode.USAGE
    message = caught.value.message
    assert message.count(".") >= 1 and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://server/db", True),
        ("postgres://server/db", True),
        ("PostgreSQL://server/db", True),
        ("POSTGRES://server/db", True),
        ("  postgresql://server/db ", True),
        ("postgresql:/server/db", True),  # a typo is judged (and refused) as an address
        ("mhtool.db", False),
        ("/home/a/postgresql.db", False),
        ("C:\\zaken\\mhtool.db", False),
        ("./postgresql://x", False),
        ("", False),
    ],
)
def test_what_counts_as_a_server_address(text: str, expected: bool) -> None:
    assert is_server_address(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://localhost/mhtool",
        "postgresql://LocalHost:5433/mhtool",
        "postgres://127.0.0.1/mhtool",
        "postgresql://127.20.30.40:6543/mhtool",
        "postgresql://[::1]/mhtool",
        "postgresql://[::1]:5433/mhtool",
        "postgresql://[0:0:0:0:0:0:0:1]/mhtool",
        "postgresql://[::ffff:127.0.0.1]/mhtool",
        "postgresql:///mhtool",
        "postgresql://%2Fvar%2Frun%2Fpostgresql/mhtool",
        "postgresql:///mhtool?host=/var/run/postgresql",
        "postgresql:///mhtool?host=%2Ftmp&port=5433",
        "postgresql://%40abstract/mhtool",
    ],
)
def test_a_local_server_needs_no_tls(text: str) -> None:
    address = parse(text)
    assert address.is_local
    assert address.dbname == "mhtool"
    assert not address.unverified_remote


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://db.gemeente.nl/mhtool",
        "postgresql://db.gemeente.nl/mhtool?sslmode=disable",
        "postgresql://db.gemeente.nl/mhtool?sslmode=allow",
        "postgresql://db.gemeente.nl/mhtool?sslmode=prefer",
        "postgresql://db.gemeente.nl/mhtool?sslmode=require",
        "postgresql://db.gemeente.nl/mhtool?sslmode=verify-ca",
        "postgresql://db.gemeente.nl/mhtool?sslmode=REQUIRE",
        "postgresql://10.0.0.5:5432/mhtool?sslmode=require",
        "postgresql://[2001:db8::5]/mhtool?sslmode=verify-ca",
        "postgresql://[::ffff:10.0.0.5]/mhtool",
        "postgresql://0.0.0.0/mhtool",
        "postgresql://localhost.evil.example/mhtool",
        "postgresql://127.0.0.1.nip.io/mhtool",
        "postgresql://?host=db.gemeente.nl&dbname=mhtool",
        "postgresql:///mhtool?host=db.gemeente.nl&sslmode=prefer",
    ],
)
def test_a_server_elsewhere_without_verify_full_is_refused(text: str) -> None:
    message = refusal(text)
    assert "niet op deze computer" in message
    assert "sslmode=verify-full" in message
    assert "docs/server.md" in message


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://db.gemeente.nl/mhtool?sslmode=verify-full",
        "postgresql://db.gemeente.nl/mhtool?SSLMODE=Verify-Full",
        "postgresql://db.gemeente.nl/mhtool?sslmode=verify%2Dfull",
        "postgres://ambtenaar@10.0.0.5:6432/mhtool?sslmode=verify-full&sslrootcert=/etc/ca.pem",
        "postgresql://[2001:db8::5]:5432/mhtool?sslmode=verify-full",
    ],
)
def test_a_server_elsewhere_with_verify_full_is_accepted(text: str) -> None:
    address = parse(text)
    assert not address.is_local
    assert address.sslmode == "verify-full"
    assert "sslmode='verify-full'" in address.conninfo
    assert not address.unverified_remote


def test_the_lab_override_allows_a_server_without_tls_and_says_so() -> None:
    address = parse("postgresql://testdb.lab/mhtool?sslmode=disable", lab=True)
    assert address.unverified_remote
    assert "sslmode='disable'" in address.conninfo
    missing = parse("postgresql://testdb.lab/mhtool", lab=True)
    assert missing.unverified_remote and missing.sslmode is None


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("ja-testomgeving", True),
        (" JA-Testomgeving ", True),
        ("ja", False),
        ("1", False),
        ("true", False),
        ("", False),
    ],
)
def test_the_lab_override_needs_its_exact_value(value: str, on: bool) -> None:
    assert lab_override_set({LAB_OVERRIDE_ENV: value}) is on
    assert lab_override_set({}) is False


@pytest.mark.parametrize(
    "text",
    [
        f"postgresql://ambtenaar:{SECRET}@db.gemeente.nl/mhtool?sslmode=verify-full",
        f"postgresql://ambtenaar:{SECRET}@localhost/mhtool",
        f"POSTGRES://:{SECRET}@localhost/mhtool",
        "postgresql://ambtenaar:@localhost/mhtool",
        f"postgresql://ambtenaar:{SECRET}@[::1]:5432/mhtool",
        "postgresql://ambtenaar:Geh%40eim@localhost/mhtool",
        "postgresql://ambtenaar:Geh@eim@localhost/mhtool",
        "postgresql://ambtenaar:Geh/eim@localhost/mhtool",
        "postgresql://ambtenaar:Geh?eim@localhost/mhtool",
        f"postgresql://localhost/mhtool?password={SECRET}",
        f"postgresql://localhost/mhtool?PASSWORD={SECRET}",
        f"postgresql://localhost/mhtool?pass%77ord={SECRET}",
        f"postgresql://localhost/mhtool?sslmode=disable&password={SECRET}",
        f"postgresql://localhost/mhtool?sslpassword={SECRET}",
        f"postgresql://db.gemeente.nl/mhtool?password={SECRET}",
        f"postgresql://ambtenaar:{SECRET}@db.gemeente.nl/mhtool#frag ment",
    ],
)
def test_a_password_in_the_address_is_refused_without_repeating_it(text: str) -> None:
    message = refusal(text)
    assert "wachtwoord" in message
    assert ".pgpass" in message and "PGPASSFILE" in message
    assert "mhtool server wachtwoord" in message
    for piece in (SECRET, "Geh", "eim", "ambtenaar"):
        assert piece not in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("postgresql://localhost", "naam van de database"),
        ("postgresql://localhost/", "naam van de database"),
        ("postgresql://localhost:5432/", "naam van de database"),
        ("postgresql://localhost/?sslmode=disable", "naam van de database"),
        ("postgresql://localhost:99999/mhtool", "poort"),
        ("postgresql://localhost:0/mhtool", "poort"),
        ("postgresql://localhost:54a/mhtool", "poort"),
        ("postgresql://localhost/mhtool?port=x", "poort"),
        ("postgresql://::1/mhtool", "IPv6"),
        ("postgresql://[::1/mhtool", "]"),
        ("postgresql://[niet-ipv6]/mhtool", "IPv6"),
        ("postgresql://[::1]x/mhtool", "poort"),
        ("postgresql://local host/mhtool", "spaties"),
        ("postgresql://localhost/mhtool#deel", "#"),
        ("postgresql://localhost/mh\ttool", "spaties"),
        ("postgresql://localhost/mh%0Atool", "onzichtbare"),
        ("postgresql://localhost/mh%E2%80%8Btool", "onzichtbare"),
        ("postgresql://localhost/mh%ZZtool", "%"),
        ("postgresql://localhost/mh%FFtool", "UTF-8"),
        ("postgresql://localhost/mhtool/extra", "/"),
        ("postgresql://local$host/mhtool", "servernaam"),
        ("postgresql://localhost/mhtool?sslmode", "naam=waarde"),
        ("postgresql://localhost/mhtool?sslmode=disable&sslmode=require", "twee keer"),
        ("postgresql://localhost:5432/mhtool?port=5433", "twee keer"),
        ("postgresql://localhost/mhtool?host=/tmp", "twee keer"),
        ("postgresql://localhost/mhtool?dbname=ander", "twee keer"),
        ("postgresql://ik@localhost/mhtool?user=jij", "twee keer"),
        ("postgresql://ik@naam@localhost/mhtool", "%40"),
        ("postgresql://localhost/mhtool?sslmode=altijd", "sslmode"),
        ("postgresql:/localhost/mhtool", "postgresql://"),
        ("postgresql:localhost/mhtool", "postgresql://"),
    ],
)
def test_a_malformed_address_gets_one_dutch_sentence(text: str, words: str) -> None:
    message = refusal(text)
    assert words in message
    assert message.startswith(("Het serveradres", "In het serveradres", "De waarde"))


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://a.gemeente.nl,b.gemeente.nl/mhtool?sslmode=verify-full",
        "postgresql://localhost:5432,localhost:5433/mhtool",
        "postgresql:///mhtool?host=a,b",
        "postgresql://[::1],[::1]:5433/mhtool",
    ],
)
def test_more_than_one_host_is_refused(text: str) -> None:
    assert "meer dan één server" in refusal(text)


@pytest.mark.parametrize(
    "name",
    ["options", "service", "hostaddr", "sslcompression", "gssencmode", "target_session_attrs"],
)
def test_parameters_that_could_redirect_or_change_the_session_are_refused(name: str) -> None:
    message = refusal(f"postgresql://localhost/mhtool?{name}=x")
    assert f"'{name}'" in message and "laat hem weg" in message


def test_an_unknown_parameter_name_that_looks_like_text_is_not_repeated() -> None:
    message = refusal("postgresql://localhost/mhtool?Mijn%20Geheim%21=1")
    assert "Geheim" not in message and "laat hem weg" in message


def test_percent_encoding_is_decoded_and_written_back_for_display() -> None:
    address = parse("postgresql://a%2Evan%40dijk@localhost/zaken%20%27regio%27")
    assert address.user == "a.van@dijk"
    assert address.dbname == "zaken 'regio'"
    assert address.display == "postgresql://a.van%40dijk@localhost/zaken%20%27regio%27"
    assert "dbname='zaken \\'regio\\''" in address.conninfo
    assert parse(address.display).dbname == address.dbname


def test_the_parts_and_the_connection_string() -> None:
    address = parse(
        "postgres://Ambtenaar@DB.gemeente.nl:6432/mhtool"
        "?sslmode=verify-full&sslrootcert=%2Fetc%2Fmhtool%2Fca.pem&application_name=mhtool"
    )
    assert (address.host, address.port, address.dbname, address.user) == (
        "DB.gemeente.nl",
        6432,
        "mhtool",
        "Ambtenaar",
    )
    assert address.conninfo == (
        "host='DB.gemeente.nl' hostaddr='' port='6432' dbname='mhtool' user='Ambtenaar' "
        "application_name='mhtool' sslmode='verify-full' sslrootcert='/etc/mhtool/ca.pem'"
    )
    assert address.display == "postgresql://Ambtenaar@DB.gemeente.nl:6432/mhtool"


def test_the_connection_string_always_pins_the_host() -> None:
    """PGHOST/PGHOSTADDR/PGSERVICE must not send a 'local' address elsewhere: the connection
    string sets host and hostaddr itself (empty = libpq's socket, resolve the name)."""
    assert parse("postgresql:///mhtool").conninfo == "host='' hostaddr='' dbname='mhtool'"
    assert parse("postgresql://localhost/mhtool").conninfo.startswith(
        "host='localhost' hostaddr='' "
    )


@pytest.mark.parametrize(
    ("text", "display", "host", "port"),
    [
        ("postgresql:///mhtool", "postgresql:///mhtool", None, None),
        ("postgresql://:5433/mhtool", "postgresql:///mhtool?port=5433", None, 5433),
        ("postgresql://ik@/mhtool", "postgresql://ik@/mhtool", None, None),
        (
            "postgresql://%2Fvar%2Frun%2Fpostgresql:5433/mhtool",
            "postgresql:///mhtool?host=/var/run/postgresql&port=5433",
            "/var/run/postgresql",
            5433,
        ),
        (
            "postgresql:///mhtool?host=%2Ftmp%2Fpg%20sock",
            "postgresql:///mhtool?host=/tmp/pg%20sock",
            "/tmp/pg sock",
            None,
        ),
        ("postgresql://[::1]:5433/mhtool", "postgresql://[::1]:5433/mhtool", "::1", 5433),
        (
            "postgresql://[2001:DB8::5]/mhtool?sslmode=verify-full",
            "postgresql://[2001:DB8::5]/mhtool",
            "2001:DB8::5",
            None,
        ),
        ("postgresql://[fe80::1%25eth0]/mhtool?sslmode=verify-full", None, "fe80::1%eth0", None),
        ("postgresql://?dbname=mhtool&port=6000", "postgresql:///mhtool?port=6000", None, 6000),
    ],
)
def test_hosts_ports_and_how_they_are_shown(
    text: str, display: str | None, host: str | None, port: int | None
) -> None:
    address = parse(text)
    assert (address.host, address.port) == (host, port)
    if display is not None:
        assert address.display == display
    again = parse(address.display + ("?sslmode=verify-full" if not address.is_local else ""))
    assert (again.host, again.port, again.dbname) == (host, port, address.dbname)


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://ik@db.gemeente.nl/mhtool?sslmode=verify-full&sslrootcert=/geheim/ca.pem"
        "&sslkey=/home/ik/.postgresql/sleutel.key&sslcert=/home/ik/cert.pem&passfile=/p/pgpass"
        "&application_name=prive-naam",
        "postgresql:///mhtool?host=/var/run/postgresql&sslkey=/geheim/sleutel.key",
    ],
)
def test_display_never_holds_a_parameter(text: str) -> None:
    address = parse(text)
    for secret in ("geheim", "sleutel", "cert.pem", "pgpass", "prive-naam", "sslmode"):
        assert secret not in address.display
    assert "?" not in address.display or address.display.endswith("host=/var/run/postgresql")


def test_nothing_in_the_address_object_holds_a_password() -> None:
    """Passwords never get as far as an object: repr (logs, tracebacks) cannot show one."""
    address = parse("postgresql://ik@localhost/mhtool?passfile=/home/ik/.pgpass")
    assert "password" not in repr(address)
    assert "passfile='/home/ik/.pgpass'" in address.conninfo
