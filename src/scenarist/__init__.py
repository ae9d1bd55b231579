"""Scenarist: a self-hosted automation platform of the Make / Integromat kind."""

__version__ = "0.1.0"
