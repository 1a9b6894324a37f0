"""Pure domain rules of mhtool: no I/O, no SQL, no terminal."""
