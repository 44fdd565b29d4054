"""App configuration for the developer tools: demo and benchmark seeds, the benchmark and the load test."""

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Seeds and measurements; installed only with DEBUG on or ARTWORX_DEVTOOLS set (config/settings.py)."""

    name = "devtools"
    label = "devtools"
    verbose_name = "developer tools"
