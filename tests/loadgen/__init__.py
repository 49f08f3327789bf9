"""Load generation and process control for Anju's reliability tests and benchmarks."""
