"""One OS process that runs the real `mhtool` command line many times, for the tests where
several processes work on one server database at once (tests/test_server_concurrency.py).

Why in-process calls instead of one subprocess per command: 1,600 interpreter start-ups on a
busy 2-core machine take minutes and test nothing about the server. Each call here is still a
whole command as a user runs it: `mhtool.cli.app.main()` with its own argv, its own connection
to the server (opened and closed by the command), its own transaction, error handling and exit
code. Several of these processes run concurrently, so the writers really are separate OS
processes with separate connections.

Start-up handshake, so all processes begin together without sleeping for a guessed time: each
process imports mhtool, then creates its READY file and waits for the GO file, which the test
creates once every process is ready.

    python -m tests.concurrent_cli READY GO RESUME RESULTS COUNT ARG...

Every `{i}` in an ARG becomes the number of the call (0 .. COUNT-1). One JSON line per call is
appended to RESULTS (flushed at once, so the test can follow the progress): the call number,
exit code, stdout and stderr. After a failed call the process waits for the RESUME file before
its next call (as a user tries again once the server is back), unless RESUME is "-".
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

POLL_SECONDS = 0.01
WAIT_FOR_GO_SECONDS = 600.0


def run_once(args: list[str]) -> tuple[int, str, str]:
    """One `mhtool ARGS` exactly as the console script runs it (see tests/conftest.py::Cli)."""
    from mhtool.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    old_argv = sys.argv
    sys.argv = ["mhtool", *args]
    code: int | str | None = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exit_:
        code = exit_.code
    finally:
        sys.argv = old_argv
    return (code if isinstance(code, int) else 1 if code else 0), out.getvalue(), err.getvalue()


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_FOR_GO_SECONDS
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{path} never appeared")
        time.sleep(POLL_SECONDS)


def main(argv: list[str]) -> int:
    ready, go, resume, results, count, *template = argv
    import mhtool.cli.app  # noqa: F401  (imported before READY: the start is not the test)

    Path(ready).touch()
    wait_for(Path(go))
    with open(results, "a", encoding="utf-8") as out:
        for i in range(int(count)):
            args = [part.replace("{i}", str(i)) for part in template]
            code, stdout, stderr = run_once(args)
            line = {"call": i, "exit": code, "stdout": stdout, "stderr": stderr}
            out.write(json.dumps(line) + "\n")
            out.flush()
            if code != 0 and resume != "-":
                wait_for(Path(resume))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
