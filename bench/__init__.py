"""Benchmarks of vnnews: `python -m bench` runs them all and prints one table (README "Benchmarks")."""
