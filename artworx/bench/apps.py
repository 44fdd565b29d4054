"""App configuration for the scale benchmark: the county data set and the page measurements."""

from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark commands only; no models."""

    name = "artworx.bench"
    label = "bench"
    verbose_name = "benchmarks"
