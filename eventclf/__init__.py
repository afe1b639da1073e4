"""eventclf: tag news paragraphs with conflict event types using a fine-tuned multilingual transformer."""
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .config import TrainingConfig
from .data import Example
from .errors import (ConfigError, DataError, EventclfError, MissingDependencyError, ModelFolderError,
                     OfflineBuildError, TextTypeError)
from .inference import EventClassifier, Prediction, predict_dataset
from .labels import LabelSet, load_label_set

__all__ = ["EventClassifier", "Prediction", "TrainingConfig", "Example", "LabelSet", "load_label_set",
           "predict_dataset", "train", "EventclfError", "DataError", "TextTypeError", "ConfigError", "ModelFolderError",
           "MissingDependencyError", "OfflineBuildError"]
try:
    __version__ = version("eventclf")  # one place for the version: pyproject.toml
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"


def train(config: TrainingConfig, log: Callable[[str], None] = print) -> Path:
    """Fine-tune a model as `config` says and return its folder (`eventclf.trainer.train`, imported only when
    called: training pulls in far more than tagging does).

    Args:
        config: the run's settings (`TrainingConfig.from_yaml` reads a config file).
        log: where progress lines go.

    Returns:
        The model folder (`config.output_dir`), ready for `EventClassifier.from_pretrained`.

    Example:
        >>> folder = train(TrainingConfig.from_yaml("configs/default.yaml", {"epochs": 1}))  # doctest: +SKIP
    """
    from .trainer import train as _train

    return _train(config, log)
