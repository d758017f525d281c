"""Regional penitentiary information exchange: country nodes sharing signed alerts."""

__version__ = "0.1.0"
