"""Benchmarks (not part of the installed package): ``make bench`` runs ``benchmarks/run.py``."""
