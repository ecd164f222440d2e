"""Configs: the shipped YAML files and one loader (name or path -> validated dict)."""
from .loader import available_configs, dump_config, load_config, parse_override  # noqa: F401
from .schema import SCHEMA  # noqa: F401
