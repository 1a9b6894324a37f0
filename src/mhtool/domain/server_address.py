"""How a user names a PostgreSQL server database, and the security policy that address must meet.

A server database is named by a libpq URL, `postgresql://[user@][host][:port]/dbname[?params]`
(also `postgres://`; the scheme in any case). Only the URL form is accepted, not libpq's
`key=value` form: one spelling to check, to document and to show.

The policy, enforced here before any connection is attempted:

- **No secrets in the address.** A password (`user:secret@`, `?password=`, `?sslpassword=`)
  would end up in shell history, the process list (`--db` is an argument) and the environment
  of every child process. It is refused, and the sentence points to `.pgpass`/`PGPASSFILE` and
  `mhtool server wachtwoord`. The refusal never repeats the address.
- **TLS with a verified certificate for every server that is not on this computer.** A host
  that is not a unix socket, `localhost`, 127.0.0.0/8 or ::1 needs `sslmode=verify-full`
  (encryption AND the server's name checked against its certificate; `require` and `verify-ca`
  still let a machine in the middle pose as the server). The one exception is the documented
  lab override, read from the environment by the service layer and passed as `lab_override`.
- **Only parameters we understand.** Anything else (`options`, `service`, `hostaddr`, ...) could
  move the connection elsewhere or change the session behind our back, so it is refused by name.

Nothing is handed to libpq as the user typed it: `conninfo` is rebuilt in libpq's `key=value`
form from the parts checked here, so libpq connects exactly to what was checked (no difference
between our URL parser and libpq's can be used to slip past the policy).

The address is the whole truth about where mhtool connects: `conninfo` always sets `host` and
`hostaddr` (empty when the URL names none), so libpq's `PGHOST`, `PGHOSTADDR` and a `PGSERVICE`
entry cannot send a "local" address to another computer without the check above. (An empty
`host` is libpq's default unix socket; an empty `hostaddr` means "resolve `host`".) Other
libpq defaults (`PGPORT`, `PGUSER`, `PGSSLROOTCERT`, `PGPASSFILE`) still apply.

Pure: no I/O, no environment and no psycopg.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from mhtool.errors import ValidationError

LAB_OVERRIDE_ENV = "MHTOOL_SERVER_ZONDER_TLS"
LAB_OVERRIDE_VALUE = "ja-testomgeving"

REQUIRED_SSLMODE = "verify-full"
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")

# Parameters a user may add after `?`. Each one either only tightens the connection
# (certificates, channel binding, minimum TLS version) or is harmless (a name, a timeout, where
# the password file is). `host`, `port`, `user` and `dbname` may also be given here (a socket
# folder is usually written as `?host=/var/run/postgresql`), but not twice.
ALLOWED_PARAMETERS = frozenset(
    {
        "host",
        "port",
        "user",
        "dbname",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "ssl_min_protocol_version",
        "channel_binding",
        "requirepeer",
        "connect_timeout",
        "application_name",
        "passfile",
    }
)
# Secrets: refused with the sentence that says where a password belongs instead.
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})

PASSWORD_ADVICE = (
    "zet het in uw .pgpass-bestand (of het bestand dat PGPASSFILE noemt) of bewaar het met "
    "'mhtool server wachtwoord'"
)
EXAMPLE = "postgresql://gebruiker@server.gemeente.nl:5432/mhtool?sslmode=verify-full"

# Anything that starts like a server address is judged as one (a typo such as `postgresql:/x`
# gets a sentence, not a new file with that name).
_SERVER_PREFIX = re.compile(r"^postgres(ql)?:", re.IGNORECASE)
_SCHEME = re.compile(r"^(postgresql|postgres)://", re.IGNORECASE)
_PORT = re.compile(r"^[0-9]{1,5}$")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f#]")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_HOST_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_PARAMETER_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class ServerAddress:
    """A checked server address. `conninfo` goes to psycopg.connect; `display` is what a user
    may see (scheme, user, host, port, database: never a password, never the parameters).
    `sslmode` is None when the URL gave none (only allowed for a local server)."""

    conninfo: str
    display: str
    host: str | None
    port: int | None
    dbname: str
    user: str | None
    is_local: bool
    sslmode: str | None = None

    @property
    def unverified_remote(self) -> bool:
        """A server elsewhere reached without a verified certificate: only possible with the
        lab override, and worth a warning every time."""
        return not self.is_local and self.sslmode != REQUIRED_SSLMODE


def is_server_address(text: str) -> bool:
    """Whether `--db`/`MHTOOL_DB` names a server (`postgresql://...` or `postgres://...`, any
    case) rather than a file. Also true for a mistyped scheme such as `postgresql:/host/db`,
    which parse_server_address then refuses."""
    return _SERVER_PREFIX.match(text.strip()) is not None


def lab_override_set(environ: Mapping[str, str]) -> bool:
    """Whether the lab override is switched on: exactly the documented value, nothing looser,
    so a stray `1` or `ja` in a profile does not switch off TLS."""
    return environ.get(LAB_OVERRIDE_ENV, "").strip().lower() == LAB_OVERRIDE_VALUE


def parse_server_address(text: str, *, lab_override: bool) -> ServerAddress:
    """Check `text` against the policy above and return the address, or raise ValidationError
    with one Dutch sentence (which never repeats the address)."""
    stripped = text.strip()
    match = _SCHEME.match(stripped)
    if match is None:
        raise _malformed("het moet beginnen met postgresql://")
    rest = stripped[match.end() :]
    rest, _, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    userspec, at, hostspec = authority.rpartition("@")
    # Secrets first: whatever else is wrong, a password must be taken out of the address.
    if ":" in userspec or _password_with_slash(authority, at, stripped[match.end() :]):
        raise _password_refused("in het adres")
    names = [unquote(item.partition("=")[0]).strip().lower() for item in query.split("&")]
    if SECRET_PARAMETERS.intersection(names):
        raise _password_refused("in de parameters van het adres")
    if _UNSAFE.search(stripped[match.end() :]):
        raise _malformed("er staan spaties, een # of onzichtbare tekens in")
    if "@" in userspec:
        raise _malformed("een @ in de gebruikersnaam schrijft u als %40")

    parameters = _parameters(query)
    user = _decoded(userspec, "de gebruikersnaam") if at else None
    host, port = _host_and_port(hostspec)
    if "/" in path:
        raise _malformed("na de databasenaam mag geen / meer staan (een / in de naam is %2F)")
    dbname = _decoded(path, "de databasenaam") if slash else None

    host = _merge(host, parameters.pop("host", None), "host")
    user = _merge(user or None, parameters.pop("user", None), "user")
    dbname = _merge(dbname or None, parameters.pop("dbname", None), "dbname")
    port_text = _merge(None if port is None else str(port), parameters.pop("port", None), "port")
    port = None if port_text is None else _port(port_text)
    host = _checked_host(host or None)
    if not dbname:
        raise ValidationError(
            "In het serveradres ontbreekt de naam van de database; schrijf die na de server, "
            "bijvoorbeeld postgresql://server.gemeente.nl/mhtool?sslmode=verify-full."
        )

    sslmode = parameters.get("sslmode")
    local = _is_local(host)
    if not local and sslmode != REQUIRED_SSLMODE and not lab_override:
        raise ValidationError(_tls_refusal(sslmode))

    return ServerAddress(
        conninfo=_conninfo(host, port, dbname, user, parameters),
        display=_display(host, port, dbname, user),
        host=host,
        port=port,
        dbname=dbname,
        user=user,
        is_local=local,
        sslmode=sslmode,
    )


def _password_with_slash(authority: str, at: str, head: str) -> bool:
    """`user:pa/ss@host` or `user:pa?ss@host`: the password ends the authority early, which
    would otherwise read as a host with a bad port. (A real bad port is refused either way, so
    this only chooses the sentence.)"""
    if at or "@" not in head or authority.startswith("["):
        return False
    _, colon, after = authority.partition(":")
    return bool(colon) and not after.isdigit()


def _parameters(query: str) -> dict[str, str]:
    """The `?a=b&c=d` part, decoded: names in lower case, `sslmode` in lower case, each name
    once, only names we accept."""
    found: dict[str, str] = {}
    for item in query.split("&") if query else ():
        if not item:
            continue
        raw_name, equals, raw_value = item.partition("=")
        name = _decoded(raw_name, "een parameternaam").strip().lower()
        if not equals or not name:
            raise _malformed("elke parameter na ? heeft de vorm naam=waarde")
        if name not in ALLOWED_PARAMETERS:
            shown = f"'{name}' " if _PARAMETER_NAME.match(name) else ""
            raise ValidationError(
                f"De parameter {shown}in het serveradres accepteert mhtool niet; laat hem weg "
                "(toegestaan zijn sslmode, sslrootcert, sslcert, sslkey, sslcrl, sslcrldir, "
                "sslsni, ssl_min_protocol_version, channel_binding, requirepeer, "
                "connect_timeout, application_name, passfile, host, port, user en dbname)."
            )
        if name in found:
            raise _malformed(f"de parameter {name} staat er twee keer in")
        found[name] = _decoded(raw_value, f"de parameter {name}")
    if "sslmode" in found:
        found["sslmode"] = found["sslmode"].strip().lower()
        if found["sslmode"] not in SSLMODES:
            raise ValidationError(
                "De waarde van sslmode in het serveradres is onbekend; gebruik "
                f"sslmode={REQUIRED_SSLMODE}."
            )
    return found


def _decoded(raw: str, what: str) -> str:
    """Percent-decoding as libpq does it; a broken escape or an invisible character is refused
    (it could hide what the address really says)."""
    if re.search(r"%(?![0-9A-Fa-f]{2})", raw):
        raise _malformed(
            f"in {what} staat een % die niet door twee hexadecimale tekens wordt gevolgd"
        )
    try:
        value = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise _malformed(f"{what} is geen geldige UTF-8-tekst") from None
    if _INVISIBLE.search(value):
        raise _malformed(f"in {what} staan onzichtbare tekens")
    return value


def _host_and_port(hostspec: str) -> tuple[str | None, int | None]:
    if "," in hostspec:
        raise _several_hosts()
    if hostspec.startswith("["):
        inside, bracket, after = hostspec[1:].partition("]")
        if not bracket:
            raise _malformed("er ontbreekt een ] achter het IPv6-adres")
        host = _decoded(inside, "het IPv6-adres")
        if not _is_ipv6(host):
            raise _malformed("tussen [ en ] hoort een IPv6-adres")
        if after and not after.startswith(":"):
            raise _malformed("na ] mag alleen :poort volgen")
        return host, (_port(after[1:]) if after else None)
    if hostspec.count(":") > 1:
        raise _malformed("een IPv6-adres schrijft u tussen [ en ], bijvoorbeeld [2001:db8::5]")
    name, colon, port_text = hostspec.partition(":")
    return _decoded(name, "de servernaam") or None, (_port(port_text) if colon else None)


def _checked_host(host: str | None) -> str | None:
    """One host: a name, an IP address or a socket folder (also when given as `?host=`)."""
    if host is None:
        return None
    if "," in host:
        raise _several_hosts()
    if _is_socket_path(host) or _is_ipv6(host) or _HOST_NAME.match(host):
        return host
    raise _malformed("de servernaam bevat tekens die in een servernaam niet voorkomen")


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _port(text: str) -> int:
    if not _PORT.match(text) or not 1 <= int(text) <= 65535:
        raise _malformed("de poort moet een getal van 1 tot en met 65535 zijn")
    return int(text)


def _merge(from_url: str | None, from_query: str | None, name: str) -> str | None:
    if from_url is not None and from_query is not None:
        raise _malformed(f"{name} staat er twee keer in (in het adres en als parameter)")
    return from_query if from_query is not None else from_url


def _is_socket_path(host: str) -> bool:
    """libpq's rule: an absolute path (or, on Linux, `@name`, the abstract namespace) is a unix
    socket folder, not a host name."""
    return host.startswith(("/", "\\", "@")) or _WINDOWS_PATH.match(host) is not None


def _is_local(host: str | None) -> bool:
    """No host (libpq's default socket), a socket folder, localhost or a loopback address. Any
    other name counts as elsewhere, also one that may resolve to this computer: the safe side."""
    if host is None or _is_socket_path(host) or host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _tls_refusal(sslmode: str | None) -> str:
    given = f"sslmode={sslmode}" if sslmode else "geen sslmode"
    return (
        f"Deze server staat niet op deze computer en het adres heeft {given}; mhtool verbindt "
        f"dan alleen met TLS en een gecontroleerd certificaat: zet ?sslmode={REQUIRED_SSLMODE} "
        "in het adres (met sslrootcert=PAD naar het certificaat van de uitgever, zie "
        "docs/server.md)."
    )


def _conninfo(
    host: str | None, port: int | None, dbname: str, user: str | None, params: Mapping[str, str]
) -> str:
    """libpq's key=value form, every value quoted, built from the checked parts only. `host`
    and `hostaddr` are always set (empty = not given) so that PGHOST, PGHOSTADDR and a
    PGSERVICE entry cannot redirect the connection."""
    parts: list[tuple[str, str]] = [("host", host or ""), ("hostaddr", "")]
    if port is not None:
        parts.append(("port", str(port)))
    parts.append(("dbname", dbname))
    if user is not None:
        parts.append(("user", user))
    parts.extend(sorted(params.items()))
    return " ".join(f"{key}={_quoted(value)}" for key, value in parts)


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _display(host: str | None, port: int | None, dbname: str, user: str | None) -> str:
    """The address as a user may see it (and type it again): no parameters, so no certificate
    paths either; a socket folder and a port without a host as libpq's `?host=`/`?port=`."""
    shown_user = f"{quote(user, safe='')}@" if user else ""
    database = quote(dbname, safe="")
    if host is None or _is_socket_path(host):
        extra = [f"host={quote(host, safe='/:@')}"] if host else []
        extra += [f"port={port}"] if port is not None else []
        tail = f"?{'&'.join(extra)}" if extra else ""
        return f"postgresql://{shown_user}/{database}{tail}"
    shown_host = f"[{quote(host, safe=':')}]" if ":" in host else host
    shown_port = f":{port}" if port is not None else ""
    return f"postgresql://{shown_user}{shown_host}{shown_port}/{database}"


def _password_refused(where: str) -> ValidationError:
    return ValidationError(
        f"Er staat een wachtwoord {where}; mhtool neemt nooit een wachtwoord aan in een "
        f"serveradres (de opdrachtregel en MHTOOL_DB zijn voor anderen zichtbaar): haal het "
        f"eruit en {PASSWORD_ADVICE}."
    )


def _several_hosts() -> ValidationError:
    return ValidationError(
        "Het serveradres noemt meer dan één server; mhtool verbindt met één server: geef er één op."
    )


def _malformed(reason: str) -> ValidationError:
    return ValidationError(f"Het serveradres is ongeldig: {reason}; schrijf het als {EXAMPLE}.")
