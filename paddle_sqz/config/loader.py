"""Load a config by name (shipped YAML) or path, apply ``key=value`` overrides, validate types.

Values from the command line are parsed as YAML scalars (``yaml.safe_load``), never
with ``eval()``; each is checked against :data:`SCHEMA` and an unknown key or a
wrong type stops with a message naming the key and the valid choices.
"""
import copy
import difflib
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import yaml

from ..errors import SqzError
from .schema import SCHEMA, Key

CONFIG_DIR = Path(__file__).resolve().parent


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'train.epochs'?)`` for the closest choice, or ``""`` when none is close.

    A dotted key is also matched on its last part alone, so ``-o train.epoch=2`` and
    ``-o epochs=2`` both find ``train.epochs``.
    """
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        leaf = word.rsplit(".", 1)[-1]
        by_leaf = {c.rsplit(".", 1)[-1]: c for c in choices}
        leaves = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.75)
        close = [by_leaf[leaves[0]]] if leaves else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def _sections() -> List[str]:
    return sorted({key.rsplit(".", 1)[0] for key in SCHEMA})


def available_configs() -> List[str]:
    """Names of the configs shipped with the package."""
    return sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))


def _flatten(tree: Dict[str, Any], source: str, prefix: str = "") -> Dict[str, Any]:
    flat = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and SCHEMA.get(dotted, Key("", None, "")).type != "mapping":
            if not any(k.startswith(dotted + ".") for k in SCHEMA):
                raise SqzError(f"{source}: unknown section {dotted!r}{did_you_mean(dotted, _sections())}; "
                              f"sections: {', '.join(_sections())}")
            flat.update(_flatten(value, source, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _nest(flat: Dict[str, Any]) -> Dict[str, Any]:
    tree: Dict[str, Any] = {}
    for dotted, value in flat.items():
        node = tree
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _check(key: str, value: Any, source: str) -> Any:
    """Return ``value`` converted to the key's type, or raise naming the key."""
    if key not in SCHEMA:
        section = key.rsplit(".", 1)[0] if "." in key else ""
        same_section = [k for k in SCHEMA if k.startswith(section + ".")] if section else []
        listed = same_section or _sections()
        what = f"valid keys in {section!r}" if same_section else "valid sections"
        raise SqzError(f"{source}: unknown key {key!r}{did_you_mean(key, SCHEMA)}; "
                       f"{what}: {', '.join(listed)}")
    spec: Key = SCHEMA[key]
    if isinstance(value, str) and spec.type in ("int", "float"):
        value = _number(value, spec.type)  # YAML 1.1 reads 1e-3 as a string
    if value is None:
        if spec.optional:
            return None
        raise SqzError(f"{source}: key {key!r} must not be null (expected {spec.type})")
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "bool": isinstance(value, bool),
        "floats": isinstance(value, list) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value),
        "mapping": isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()),
    }[spec.type]
    if not ok:
        raise SqzError(f"{source}: key {key!r} expects {spec.type}, got {value!r} ({type(value).__name__})")
    if spec.type == "float":
        value = float(value)
    elif spec.type == "floats":
        value = [float(v) for v in value]
    if spec.choices and value not in spec.choices:
        raise SqzError(f"{source}: key {key!r} must be one of {', '.join(spec.choices)}; got {value!r}")
    return value


def _number(text: str, kind: str) -> Any:
    """``"1e-3"`` -> ``0.001``; text that is no number is returned unchanged (and then refused)."""
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        return text


def resolve_config_path(name_or_path: str) -> Path:
    """A shipped config name (``birds``) or a path to a YAML file."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise SqzError(f"--cfg: config file {name_or_path!r} not found")
        return path
    shipped = CONFIG_DIR / f"{name_or_path}.yaml"
    if not shipped.is_file():
        raise SqzError(f"--cfg: unknown config {name_or_path!r}"
                       f"{did_you_mean(name_or_path, available_configs())}; shipped configs: "
                       f"{', '.join(available_configs())} (or give a path to a .yaml file)")
    return shipped


def parse_override(text: str) -> Tuple[str, Any]:
    """``train.lr=0.001`` -> ``("train.lr", 0.001)``; the value is a YAML scalar or list."""
    if "=" not in text:
        raise SqzError(f"-o {text!r}: expected key=value, e.g. train.epochs=5")
    key, raw = text.split("=", 1)
    key = key.strip()
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        raise SqzError(f"-o {text!r}: cannot parse the value {raw!r}") from None
    if SCHEMA.get(key, Key("", None, "")).type == "str" and value is not None and not isinstance(value, str):
        value = raw.strip()  # a run name like 2024 or a path like 1e3 stays a string
    return key, value


def load_config(name_or_path: str, overrides: Iterable[str] = ()) -> Dict[str, Any]:
    """The validated, fully-resolved config as a nested dict (every key present)."""
    path = resolve_config_path(name_or_path)
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SqzError(f"{path}: cannot read config: {first}") from None
    if not isinstance(tree, dict):
        raise SqzError(f"{path}: a config must be a mapping of sections, got {type(tree).__name__}")
    meta_name = tree.pop("config_name", None) or path.stem
    flat = {key: spec.default for key, spec in SCHEMA.items()}
    for key, value in _flatten(tree, str(path)).items():
        flat[key] = _check(key, value, str(path))
    for text in overrides:
        key, value = parse_override(text)
        flat[key] = _check(key, value, f"-o {text}" if text.isprintable() else f"-o {text!r}")  # one line
    cfg = _nest(copy.deepcopy(flat))
    cfg["config_name"] = meta_name
    validate(cfg)
    return cfg


def validate(cfg: Dict[str, Any]) -> None:
    """Cross-key checks that a single key's type cannot express."""
    positive = ["model.num_classes", "data.image_size", "train.epochs", "train.batch_size",
                "train.eval_batch_size", "train.log_interval"]
    for dotted in positive:
        section, leaf = dotted.split(".")
        if cfg[section][leaf] < 1:
            raise SqzError(f"config key {dotted!r} must be at least 1, got {cfg[section][leaf]}")
    if cfg["data"]["pad_size"] is not None and cfg["data"]["pad_size"] < 1:
        raise SqzError(f"config key 'data.pad_size' must be at least 1 or null, got {cfg['data']['pad_size']}")
    for key in ("mean", "std"):
        if len(cfg["data"][key]) != cfg["model"]["in_channels"]:
            raise SqzError(f"config key 'data.{key}' needs {cfg['model']['in_channels']} values "
                           f"(model.in_channels), got {len(cfg['data'][key])}")
    if any(s <= 0 for s in cfg["data"]["std"]):
        raise SqzError("config key 'data.std' values must be positive")
    if cfg["train"]["lr"] <= 0:
        raise SqzError(f"config key 'train.lr' must be positive, got {cfg['train']['lr']}")


def load_config_file(path: Path) -> Dict[str, Any]:
    """Re-read a run's saved ``config.yaml`` (already resolved) with the same validation."""
    return load_config(str(path))


def dump_config(cfg: Dict[str, Any]) -> str:
    """YAML text of a resolved config, as saved in every run folder."""
    return yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True)
