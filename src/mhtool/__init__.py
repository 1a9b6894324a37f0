"""mhtool: case tracker for signals of possible human trafficking (mensenhandel)."""

__version__ = "0.1.0"
