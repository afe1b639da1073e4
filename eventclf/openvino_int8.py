"""Static int8 inference through OpenVINO: `EventClassifier.from_pretrained(path, quantize="openvino-int8")`.

The fp32 model is traced to ONNX (as for "int8"), read by OpenVINO and quantised by NNCF for transformers: weights
and activations int8, with SmoothQuant moving activation outliers into the weights and each activation's range fixed
once from the model's own windows of CALIBRATION_ROWS paragraphs of the bundled training split. The feed-forward
down-projections stay in floating point, as in the "int8" route. The result is written into the model folder, as
`openvino-int8/`, on first use (about a minute for multilingual-e5-small on 2 cores).

Measured by `benchmarks/speed` on 2 AMD EPYC cores (docs/results.md, Speed): about twice the "int8" route's
throughput on batches and 7-9x a plain Hugging Face loop, at -0.001 macro-F1 against fp32; one paragraph per call
it is no faster than "int8", and its process is larger (1.9 GB peak against 1.4). Quantising the down-projections
too ran from 1% slower to 19% faster in five runs, at -0.002 and 2.5 GB: within the benchmark's tie band, where
its rule keeps the lighter route (`float_down_projections=False` gives the other). OpenVINO computes what stays in floating point
in bf16 on CPUs that have it (avx512_bf16 or AMX), else in fp32, so other CPUs may land closer to fp32 and slower.
"""
from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoConfig, AutoTokenizer, PretrainedConfig

from .atomic import atomic_path
from .modeling import config_labels

FOLDER_NAME = "openvino-int8"
CALIBRATION_ROWS = 300  # NNCF's default subset size; 300 paragraphs give about 400 windows of every length
CALIBRATION_BATCH = 8


class OpenVinoEventModel(nn.Module):
    """Stands in for `EventModel` inside `EventClassifier`: same call, same `{"logits": ...}` answer."""

    def __init__(self, compiled, config: PretrainedConfig):
        super().__init__()
        self.request = compiled.create_infer_request()
        self.output = compiled.output(0)
        self.config = config

    @property
    def labels(self) -> tuple[str, ...]:
        return config_labels(self.config)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        result = self.request.infer({"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()})
        return {"logits": torch.from_numpy(result[self.output].copy())}  # the request reuses its buffer next call


def calibration_batches(folder: Path, texts: list[str] | None = None) -> list[dict[str, np.ndarray]]:
    """The model's own padded windows of `texts` (default: CALIBRATION_ROWS bundled training paragraphs, drawn
    with a fixed seed), in batches of CALIBRATION_BATCH, as the model's inputs."""
    from .config import BUNDLED_CORPUS, TrainingConfig
    from .data import read_examples
    from .inference import read_settings
    from .labels import load_label_set
    from .windows import encode_windows

    if texts is None:
        examples = read_examples(BUNDLED_CORPUS / "train.jsonl", load_label_set(None).names)
        picked = np.random.default_rng(0).choice(len(examples), min(CALIBRATION_ROWS, len(examples)), replace=False)
        texts = [examples[i].text for i in sorted(picked)]
    settings, tokenizer = read_settings(folder), AutoTokenizer.from_pretrained(folder)
    windows, _ = encode_windows(tokenizer, texts, settings.get("text_prefix", ""),
                                settings.get("max_length", TrainingConfig.max_length))
    batches = []
    for start in range(0, len(windows), CALIBRATION_BATCH):
        padded = tokenizer.pad({"input_ids": windows[start : start + CALIBRATION_BATCH]}, return_tensors="np")
        batches.append({name: padded[name].astype(np.int64) for name in ("input_ids", "attention_mask")})
    return batches


def export_openvino_int8(folder: str | Path, texts: list[str] | None = None, target: str | Path | None = None,
                         float_down_projections: bool = True) -> Path:
    """Quantise a model folder's fp32 model for OpenVINO and write it as a folder (replacing any older one).

    Args:
        folder: a model folder written by `eventclf train`.
        texts: calibration paragraphs, for a model trained on text unlike the bundled corpus (default: bundled).
        target: where to write the export (default: `openvino-int8/` inside `folder`, where `from_pretrained` looks).
        float_down_projections: keep the feed-forward down-projections in floating point (the default: a smaller
            process; the module docstring has the measurements); False makes them int8 too, for more throughput.

    Returns:
        The export's folder (`model.xml` and `model.bin`).

    Example:
        >>> export_openvino_int8("runs/default")  # doctest: +SKIP
        PosixPath('runs/default/openvino-int8')
    """
    import nncf
    import openvino as ov

    from .quantize import down_projections, export_fp32_onnx, quiet

    folder = Path(folder)
    target = folder / FOLDER_NAME if target is None else Path(target)
    nncf.set_log_level(logging.ERROR)
    # NNCF's progress bars (rich, on stdout) and notes are not for our users
    with tempfile.TemporaryDirectory() as tmp, quiet(), contextlib.redirect_stdout(io.StringIO()):
        onnx_file = Path(tmp) / "model.onnx"
        width = export_fp32_onnx(folder, onnx_file).config.intermediate_size
        keep = down_projections(onnx_file, width) if float_down_projections else []
        batches = calibration_batches(folder, texts)
        quantized = nncf.quantize(ov.convert_model(str(onnx_file)), nncf.Dataset(batches),
                                  model_type=nncf.ModelType.TRANSFORMER, subset_size=len(batches),
                                  ignored_scope=nncf.IgnoredScope(names=keep))
        with atomic_path(target, folder=True) as partial:
            ov.save_model(quantized, str(partial / "model.xml"))
    return target


def ensure_openvino_int8(folder: str | Path) -> Path:
    """The folder's OpenVINO int8 export, made now if it is missing or older than the weights it came from."""
    from .quantize import is_fresh

    folder = Path(folder)
    return folder / FOLDER_NAME if is_fresh(folder / FOLDER_NAME, folder) else export_openvino_int8(folder)


def compile_openvino(export: Path):
    """An export folder compiled for this CPU with the library's thread settings."""
    import openvino as ov

    # one thread setting for every engine: torch.set_num_threads / OMP_NUM_THREADS also size this model;
    # LATENCY: one stream using every thread, since EventClassifier sends one batch at a time
    return ov.Core().compile_model(str(Path(export) / "model.xml"), "CPU",
                                   {"INFERENCE_NUM_THREADS": torch.get_num_threads(), "PERFORMANCE_HINT": "LATENCY"})


def load_openvino_int8(folder: str | Path) -> OpenVinoEventModel:
    return OpenVinoEventModel(compile_openvino(ensure_openvino_int8(folder)), AutoConfig.from_pretrained(folder))
