"""eventclf: tag news paragraphs with conflict event types using a fine-tuned multilingual transformer."""
from .config import TrainingConfig
from .data import DataError, Example
from .inference import EventClassifier, Prediction
from .labels import LabelSet, load_label_set

__all__ = ["EventClassifier", "Prediction", "TrainingConfig", "DataError", "Example", "LabelSet", "load_label_set",
           "train"]
__version__ = "0.1.0"


def train(config: TrainingConfig):
    """Fine-tune a model as `config` says and return its folder (imported lazily: training pulls in more)."""
    from .trainer import train as _train

    return _train(config)
