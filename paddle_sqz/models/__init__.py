"""Models: a registry with metadata (``build_model``, ``create_model``, ``list_models``,
``model_info``) and the model families.

Importing a family module registers its builders; models take plain arguments
and know nothing of configs, data or files.
"""
from .registry import (ModelArg, ModelInfo, build_model, create_model, list_models, model_args,  # noqa: F401
                       model_info, register_model)
from . import squeezenet  # noqa: F401  (registers squeezenet1_0, squeezenet1_1)
from . import quickdraw_cnns  # noqa: F401  (registers the Quick Draw tutorial's six CNNs)
from . import squeezenet_meta  # noqa: F401  (registers squeezenet_meta: the paper's metaparameters)
from . import alexnet  # noqa: F401  (registers alexnet, the paper's size baseline)

__all__ = ["ModelArg", "ModelInfo", "build_model", "create_model", "list_models", "model_args", "model_info",
           "register_model"]
