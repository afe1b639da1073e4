"""int8 inference on a plain CPU through ONNX Runtime: `EventClassifier.from_pretrained(path, quantize="int8")`.

The fp32 model is traced to ONNX once and its weights quantised to int8 with onnxruntime's dynamic quantisation
(the word-embedding lookup and every MatMul but the feed-forward down-projections, see `_down_projections`;
activations are quantised on the fly, so no calibration data is needed). The result, `model.int8.onnx`, is written
into the model folder on first use and loaded from there after; such a folder no longer needs `model.safetensors`.

Why ONNX Runtime and not torch's `quantize_dynamic`: with the same layers quantised it is faster and closer to fp32,
and it stores the 250k-row word embedding as int8 too, so the file is a third the size and the process far smaller;
torch's version only quantises `nn.Linear` and is deprecated. `benchmarks/speed.py` measures both.
"""
from __future__ import annotations

import importlib.util
import logging
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import torch
from torch import nn
from transformers import AutoConfig, PretrainedConfig

from .atomic import atomic_path
from .errors import ConfigError, MissingDependencyError, ModelFolderError
from .modeling import WEIGHTS_NAME, EventModel, config_labels

QUANTIZE_CHOICES = ("int8",)
ONNX_NAME = "model.int8.onnx"


class OnnxEventModel(nn.Module):
    """Stands in for `EventModel` inside `EventClassifier`: same call, same `{"logits": ...}` answer."""

    def __init__(self, session, config: PretrainedConfig):
        super().__init__()
        self.session = session
        self.config = config

    @property
    def labels(self) -> tuple[str, ...]:
        return config_labels(self.config)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        feed = {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()}
        return {"logits": torch.from_numpy(self.session.run(["logits"], feed)[0])}


class _LogitsOnly(nn.Module):
    """ONNX outputs are tensors, not dicts."""

    def __init__(self, model: EventModel):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask)["logits"]


def check_quantize(quantize: str, device: str | None) -> None:
    if quantize not in QUANTIZE_CHOICES:
        raise ConfigError(f"quantize={quantize!r}: choose one of {QUANTIZE_CHOICES} or None")
    if device not in (None, "auto", "cpu"):
        raise ConfigError(f"quantize={quantize!r} runs on CPU (ONNX Runtime); got device={device!r}")
    missing = [name for name in ("onnxruntime", "onnx") if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingDependencyError(f"quantize={quantize!r} needs {' and '.join(missing)}: pip install 'eventclf[int8]'")


def export_int8(folder: str | Path) -> Path:
    """Write `model.int8.onnx` into a model folder (replacing any older one) and return its path."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder = Path(folder)
    fp32_model = EventModel.from_folder(folder)
    model = _LogitsOnly(fp32_model)
    ids = torch.tensor([[0, 5, 6, 7, 2], [0, 5, 2, 1, 1]])  # one padded row, so the mask path is traced as used
    with tempfile.TemporaryDirectory() as tmp, _quiet():
        fp32 = Path(tmp) / "model.onnx"
        # dynamo=False: the TorchScript exporter needs no onnxscript and traces this encoder faithfully
        torch.onnx.export(model, (ids, (ids != 1).long()), str(fp32), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "length"},
                                        "attention_mask": {0: "batch", 1: "length"}, "logits": {0: "batch"}})
        with atomic_path(folder / ONNX_NAME) as partial:
            quantize_dynamic(fp32, partial, weight_type=QuantType.QInt8,
                             nodes_to_exclude=_down_projections(fp32, fp32_model.config.intermediate_size))
    return folder / ONNX_NAME


def _down_projections(onnx_file: Path, width: int) -> list[str]:
    """The MatMuls whose weight has `width` (the feed-forward width) input rows: each layer's down-projection. They
    read post-GELU activations whose outliers reach hundreds of times the mean (multilingual-e5-small: up to 600x),
    which one int8 scale per batch crushes. `benchmarks/speed.py` measures the same choice with torch's int8 on
    runs/default: every Linear quantised loses 0.029 macro-F1 against fp32, the down-projections kept fp32 0.009,
    this ONNX export 0.003 (benchmarks/results/speed.json)."""
    import onnx

    graph = onnx.load(str(onnx_file)).graph
    rows = {init.name: init.dims[0] for init in graph.initializer if len(init.dims) == 2}
    return [node.name for node in graph.node if node.op_type == "MatMul" and any(rows.get(i) == width for i in node.input)]


def ensure_int8(folder: str | Path) -> Path:
    """The folder's int8 export, made now if it is missing or older than the weights it came from."""
    onnx_file, weights = Path(folder) / ONNX_NAME, Path(folder) / WEIGHTS_NAME
    if onnx_file.is_file() and not (weights.is_file() and weights.stat().st_mtime > onnx_file.stat().st_mtime):
        return onnx_file
    if not weights.is_file():
        raise ModelFolderError(f"{folder} has neither {ONNX_NAME} nor {WEIGHTS_NAME} to export it from")
    return export_int8(folder)


def load_int8(folder: str | Path) -> OnnxEventModel:
    import onnxruntime as ort

    options = ort.SessionOptions()
    # one thread setting for both engines: torch.set_num_threads / OMP_NUM_THREADS also size this session
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(ensure_int8(folder)), options, providers=["CPUExecutionProvider"])
    return OnnxEventModel(session, AutoConfig.from_pretrained(folder))


@contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's tracer warnings and the quantiser's 'consider pre-processing' advice are not for our users."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)
