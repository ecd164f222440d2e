"""A name -> builder registry, so configs can name a model and new models need no trainer change."""
from typing import Callable, Dict, List

from ..errors import SqzError

_BUILDERS: Dict[str, Callable] = {}


def register_model(fn: Callable) -> Callable:
    """Decorator: register ``fn`` under its own name (``squeezenet1_0`` ...)."""
    name = fn.__name__
    if name in _BUILDERS and _BUILDERS[name] is not fn:
        raise ValueError(f"model {name!r} is registered twice")
    _BUILDERS[name] = fn
    return fn


def list_models() -> List[str]:
    """Every registered model name, sorted."""
    return sorted(_BUILDERS)


def get_builder(name: str) -> Callable:
    """The builder registered as ``name``; an unknown name lists the valid ones."""
    try:
        return _BUILDERS[name]
    except KeyError:
        raise SqzError(f"model.name: unknown model {name!r}; valid: {', '.join(list_models())}") from None


def build_model(name: str, **kwargs):
    """Build a registered model with keyword arguments (``num_classes=4`` ...)."""
    return get_builder(name)(**kwargs)
