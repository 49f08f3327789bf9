"""In-process counters for benchmarks (see :mod:`benchmarks.probe.sitecustomize`)."""
