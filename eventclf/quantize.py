"""Quantised inference on a plain CPU: `EventClassifier.from_pretrained(path, quantize=...)`.

Two routes, each exported into the model folder on first use and loaded from there after:
- "int8": ONNX Runtime dynamic quantisation. The fp32 model is traced to ONNX and its weights quantised to int8
  (the word-embedding lookup and every MatMul but the feed-forward down-projections, see `down_projections`);
  activations are quantised on the fly, so no calibration data is needed. File: `model.int8.onnx`.
- "openvino-int8": OpenVINO with NNCF static quantisation, weights and activations int8 with activation ranges
  calibrated once on bundled training text (see `eventclf.openvino_int8`). Folder: `openvino-int8/`.
Either export lets the folder run without `model.safetensors`. `benchmarks/speed` measures both against fp32, torch's
own int8 and a plain Hugging Face loop; docs/results.md (Speed) has the last figures.
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
from .config import QUANTIZE_CHOICES
from .errors import ConfigError, MissingDependencyError, ModelFolderError
from .modeling import WEIGHTS_NAME, EventModel, config_labels

_NEEDS = {"int8": (("onnxruntime", "onnx"), "int8"), "openvino-int8": (("openvino", "nncf", "onnx"), "openvino")}
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
    """Refuse, in one line, a route that does not exist, a GPU device, or a missing extra."""
    if quantize not in QUANTIZE_CHOICES:
        raise ConfigError(f"quantize={quantize!r}: choose one of {QUANTIZE_CHOICES} or None")
    if device not in (None, "auto", "cpu"):
        raise ConfigError(f"quantize={quantize!r} runs on CPU; got device={device!r}")
    packages, extra = _NEEDS[quantize]
    missing = [name for name in packages if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingDependencyError(f"quantize={quantize!r} needs {' and '.join(missing)}: "
                                     f"pip install 'eventclf[{extra}]'")


def ensure_export(folder: str | Path, quantize: str) -> Path:
    """The folder's export for `quantize`, made now if it is missing or older than the weights it came from."""
    if quantize == "openvino-int8":
        from .openvino_int8 import ensure_openvino_int8

        return ensure_openvino_int8(folder)
    return ensure_int8(folder)


def load_quantized(folder: str | Path, quantize: str) -> nn.Module:
    """A stand-in for `EventModel` running the folder's `quantize` export (made first if needed)."""
    if quantize == "openvino-int8":
        from .openvino_int8 import load_openvino_int8

        return load_openvino_int8(folder)
    return load_int8(folder)


def export_fp32_onnx(folder: Path, target: Path) -> EventModel:
    """Trace the folder's fp32 model to an ONNX file at `target`; return the model it traced."""
    fp32_model = EventModel.from_folder(folder)
    ids = torch.tensor([[0, 5, 6, 7, 2], [0, 5, 2, 1, 1]])  # one padded row, so the mask path is traced as used
    with quiet():
        # dynamo=False: the TorchScript exporter needs no onnxscript and traces this encoder faithfully
        torch.onnx.export(_LogitsOnly(fp32_model), (ids, (ids != 1).long()), str(target),
                          input_names=["input_ids", "attention_mask"], output_names=["logits"], opset_version=17,
                          dynamo=False, dynamic_axes={"input_ids": {0: "batch", 1: "length"},
                                                      "attention_mask": {0: "batch", 1: "length"},
                                                      "logits": {0: "batch"}})
    return fp32_model


def is_fresh(export: Path, folder: Path) -> bool:
    """An export is reused unless it is missing or the fp32 weights are newer (retrained into the same folder)."""
    weights = folder / WEIGHTS_NAME
    if not export.exists():
        if not weights.is_file():
            raise ModelFolderError(f"{folder} has neither {export.name} nor {WEIGHTS_NAME} to export it from")
        return False
    return not (weights.is_file() and weights.stat().st_mtime > export.stat().st_mtime)


def export_int8(folder: str | Path) -> Path:
    """Write `model.int8.onnx` into a model folder (replacing any older one) and return its path."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder = Path(folder)
    with tempfile.TemporaryDirectory() as tmp, quiet():
        fp32 = Path(tmp) / "model.onnx"
        fp32_model = export_fp32_onnx(folder, fp32)
        with atomic_path(folder / ONNX_NAME) as partial:
            quantize_dynamic(fp32, partial, weight_type=QuantType.QInt8,
                             nodes_to_exclude=down_projections(fp32, fp32_model.config.intermediate_size))
    return folder / ONNX_NAME


def down_projections(onnx_file: Path, width: int) -> list[str]:
    """The MatMuls whose weight has `width` (the feed-forward width) input rows: each layer's down-projection. They
    read post-GELU activations whose outliers reach hundreds of times the mean (multilingual-e5-small: up to 600x),
    which one int8 scale per batch crushes. `benchmarks/speed` measures the same choice with torch's int8 on
    runs/default: every Linear quantised loses 0.042 macro-F1 against fp32, with the down-projections kept fp32 it
    gains 0.004, and this ONNX export gains 0.001 (benchmarks/results/speed.json)."""
    import onnx

    graph = onnx.load(str(onnx_file)).graph
    rows = {init.name: init.dims[0] for init in graph.initializer if len(init.dims) == 2}
    return [node.name for node in graph.node if node.op_type == "MatMul" and any(rows.get(i) == width for i in node.input)]


def ensure_int8(folder: str | Path) -> Path:
    """The folder's int8 export, made now if it is missing or older than the weights it came from."""
    folder = Path(folder)
    return folder / ONNX_NAME if is_fresh(folder / ONNX_NAME, folder) else export_int8(folder)


def load_int8(folder: str | Path) -> OnnxEventModel:
    return OnnxEventModel(onnx_session(ensure_int8(folder)), AutoConfig.from_pretrained(folder))


def onnx_session(onnx_file: Path):
    """An ONNX Runtime CPU session with the library's thread settings."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    # one thread setting for both engines: torch.set_num_threads / OMP_NUM_THREADS also size this session
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])


@contextmanager
def quiet() -> Iterator[None]:
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
