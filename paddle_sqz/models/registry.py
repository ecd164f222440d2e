"""A name -> builder registry with each model's metadata, so a new model or argument touches one file.

A builder is registered with its family, its natural input size and channels, and the
arguments it takes beyond ``num_classes`` / ``in_channels`` (:class:`ModelArg`: type,
config default, help, choices). The config schema's ``model.*`` keys, the trainer's
call and the tests' parametrisation are all read from here.
"""
import inspect
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

from ..errors import SqzError


class ModelArg(NamedTuple):
    """One builder argument as a config key ``model.<name>``: type, config default, help, choices."""
    type: str
    default: Any
    help: str
    choices: Optional[Tuple[str, ...]] = None


COMMON_ARGS: Dict[str, ModelArg] = {
    "num_classes": ModelArg("int", 4, "number of classes (must match labels.txt)"),
    "in_channels": ModelArg("int", 3, "input image channels (3 for photos, 1 for drawings)"),
}


class ModelInfo(NamedTuple):
    """A registered model: its builder and what tools and tests need to know about it."""
    name: str
    builder: Callable
    family: str
    input_size: int
    in_channels: int
    args: Dict[str, ModelArg]
    summary: str


_MODELS: Dict[str, ModelInfo] = {}
_ARGS: Dict[str, ModelArg] = dict(COMMON_ARGS)


def register_model(family: str, input_size: int, in_channels: int,
                   args: Optional[Mapping[str, ModelArg]] = None) -> Callable[[Callable], Callable]:
    """Decorator: register ``fn`` under its own name with its metadata.

    The builder's keyword arguments must be exactly ``num_classes``, ``in_channels`` and
    ``args``, so a declaration can never drift from the code.
    """
    declared = {**COMMON_ARGS, **dict(args or {})}

    def register(fn: Callable) -> Callable:
        name = fn.__name__
        if name in _MODELS and _MODELS[name].builder is not fn:
            raise ValueError(f"model {name!r} is registered twice")
        params = set(inspect.signature(fn).parameters)
        if params != set(declared):
            raise ValueError(f"model {name!r}: builder arguments {sorted(params)} differ from the declared "
                             f"{sorted(declared)}")
        for arg, spec in declared.items():
            if _ARGS.setdefault(arg, spec) != spec:
                raise ValueError(f"model {name!r}: argument {arg!r} is declared differently by another model")
        summary = (inspect.getdoc(fn) or "").split("\n")[0]
        _MODELS[name] = ModelInfo(name, fn, family, input_size, in_channels, declared, summary)
        return fn

    return register


def list_models(family: Optional[str] = None) -> List[str]:
    """Every registered model name (of ``family``, when given), sorted."""
    return sorted(name for name, info in _MODELS.items() if family is None or info.family == family)


def model_info(name: str) -> ModelInfo:
    """The metadata of model ``name``; an unknown name lists the valid ones."""
    try:
        return _MODELS[name]
    except KeyError:
        raise SqzError(f"model.name: unknown model {name!r}; valid: {', '.join(list_models())}") from None


def model_args() -> Dict[str, ModelArg]:
    """Every argument any registered builder takes (the config's ``model.*`` keys)."""
    return dict(_ARGS)


def build_model(name: str, **kwargs):
    """Build a registered model with keyword arguments (``num_classes=4`` ...)."""
    return model_info(name).builder(**kwargs)


def create_model(name: str, options: Mapping[str, Any]):
    """Build ``name`` from a config's ``model`` section: the arguments it declares, the rest left out."""
    info = model_info(name)
    return info.builder(**{key: options[key] for key in info.args if key in options})
