"""Tests of the benchmark tooling (what it counts, not how fast Anju is: no timing assertions)."""
