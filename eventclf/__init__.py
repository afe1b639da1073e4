"""eventclf: tag news paragraphs with conflict event types using a fine-tuned multilingual transformer."""
from importlib.metadata import PackageNotFoundError, version
from typing import Any

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


def __getattr__(name: str) -> Any:
    """`train` is `eventclf.trainer.train`, imported on first use: training pulls in far more than tagging does."""
    if name == "train":
        from .trainer import train

        return train
    raise AttributeError(f"module 'eventclf' has no attribute {name!r}")
