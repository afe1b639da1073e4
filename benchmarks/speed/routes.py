"""The routes the speed benchmark runs side by side: how each is exported, loaded and timed, in its own process.

A route's load time runs from its model folder to a ready classifier; the Python imports every route shares
(torch, transformers, eventclf) are done before it and not counted.
"""
from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import numpy as np

from benchmarks.report import peak_rss_mb

ROUTES = ("hf-baseline", "eventclf-fp32", "torch-compile-fp32", "torch-int8", "torch-int8-ffn-fp32", "eventclf-int8",
          "ort-fused-int8", "ort-static-int8", "openvino-int8", "openvino-int8-all")
SHIPPED = {"eventclf-int8": "int8", "openvino-int8": "openvino-int8"}  # route -> its `quantize=` value
CANDIDATES = ROUTES[3:]  # the int8 routes the decision weighs
EXPORTED = ("eventclf-int8", "ort-fused-int8", "ort-static-int8", "openvino-int8", "openvino-int8-all")
LATENCY_CALLS = 200  # one paragraph per call, as the document tagger's interactive use sends them


def texts_and_examples(labels, n: int):
    """n paragraphs of the bundled test split (repeated as needed), and its first n examples (for F1)."""
    from eventclf.config import BUNDLED_CORPUS
    from eventclf.data import read_examples

    examples = read_examples(BUNDLED_CORPUS / "test.jsonl", labels)
    return [examples[i % len(examples)].text for i in range(n)], examples[:n]


def export_path(route: str, model: Path, scratch: Path) -> Path:
    """Where a route's weights live: shipped exports in the model folder, benchmark-only ones in scratch."""
    from eventclf.openvino_int8 import FOLDER_NAME
    from eventclf.quantize import ONNX_NAME

    return {"eventclf-int8": model / ONNX_NAME, "openvino-int8": model / FOLDER_NAME,
            "ort-fused-int8": scratch / "fused.int8.onnx", "ort-static-int8": scratch / "static.int8.onnx",
            "openvino-int8-all": scratch / "openvino-int8-all"}.get(route, model / "model.safetensors")


def export(route: str, model: Path, scratch: Path) -> None:
    """Write the route's export (the shipped ones through the library, as a user's first call would)."""
    import tempfile

    from eventclf.openvino_int8 import export_openvino_int8
    from eventclf.quantize import export_fp32_onnx, export_int8, quiet

    target = export_path(route, model, scratch)
    if route == "eventclf-int8":
        export_int8(model)
    elif route == "openvino-int8":
        export_openvino_int8(model)
    elif route == "openvino-int8-all":
        export_openvino_int8(model, target=target, float_down_projections=False)
    else:
        with tempfile.TemporaryDirectory() as tmp, quiet():
            fp32 = Path(tmp) / "model.onnx"
            width = export_fp32_onnx(model, fp32).config.intermediate_size
            if route == "ort-fused-int8":
                _ort_fused(model, fp32, target, width)
            else:
                _ort_static(model, fp32, target, width)


def _ort_fused(model: Path, fp32: Path, target: Path, width: int) -> None:
    """ONNX Runtime's transformer optimiser first, then the shipped int8 rule. On this export (transformers' SDPA
    attention) it fuses the 24 LayerNorms and 12 GELUs but finds no attention block to fuse; a trial export with
    eager attention, where it fused all 12, was no faster in one prototype run on a busy machine (not kept)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoConfig

    from eventclf.quantize import down_projections

    config = AutoConfig.from_pretrained(model)
    fused = fp32.with_name("fused.onnx")
    optimizer.optimize_model(str(fp32), model_type="bert", num_heads=config.num_attention_heads,
                             hidden_size=config.hidden_size).save_model_to_file(str(fused))
    quantize_dynamic(fused, target, weight_type=QuantType.QInt8, nodes_to_exclude=down_projections(fused, width),
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # fused ops have no shape inference


def _ort_static(model: Path, fp32: Path, target: Path, width: int) -> None:
    """ONNX Runtime static int8 (QDQ), calibrated on the same bundled windows as openvino-int8."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    from eventclf.openvino_int8 import calibration_batches
    from eventclf.quantize import down_projections

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter(calibration_batches(model))

        def get_next(self):
            return next(self.batches, None)

    quantize_static(str(fp32), str(target), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                    nodes_to_exclude=down_projections(fp32, width))


def load(route: str, model: Path, scratch: Path):
    """The route's classifier: the library's own for fp32 and the shipped routes, else one around the route's engine
    (built without loading the fp32 weights where the route does not need them, so its memory is its own)."""
    import torch

    from eventclf import EventClassifier

    if route in SHIPPED:
        return EventClassifier.from_pretrained(model, quantize=SHIPPED[route])
    path = export_path(route, model, scratch)
    if route.startswith("ort-"):
        from eventclf.quantize import OnnxEventModel, onnx_session

        return EventClassifier.from_engine(OnnxEventModel(onnx_session(path), _config(model)), model)
    if route == "openvino-int8-all":
        from eventclf.openvino_int8 import OpenVinoEventModel, compile_openvino

        return EventClassifier.from_engine(OpenVinoEventModel(compile_openvino(path), _config(model)), model)
    clf = EventClassifier.from_pretrained(model, device="cpu")
    if route == "torch-compile-fp32":
        clf.model = torch.compile(clf.model, dynamic=True)
    elif route.startswith("torch-int8"):
        from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic

        width = clf.model.config.intermediate_size
        spec = {name: default_dynamic_qconfig for name, m in clf.model.named_modules() if isinstance(m, torch.nn.Linear)
                and not (route == "torch-int8-ffn-fp32" and m.in_features == width)}
        with warnings.catch_warnings():  # torch.ao.quantization is deprecated; these candidates are measured, not shipped
            warnings.simplefilter("ignore")
            clf.model = quantize_dynamic(clf.model, spec, dtype=torch.qint8)
    return clf


def _config(model: Path):
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(model)


def hf_loop(clf, texts: list[str]) -> np.ndarray:
    """What a transformers pipeline runs for this model: tokenizer on the texts in input order, batch 32, padding to
    the longest in the batch, truncation at max_length, fp32, torch.no_grad."""
    import torch

    out = []
    with torch.no_grad():
        for start in range(0, len(texts), 32):
            batch = clf.tokenizer([clf.text_prefix + t for t in texts[start : start + 32]], padding=True,
                                  truncation=True, max_length=clf.max_length, return_tensors="pt")
            logits = clf.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])["logits"]
            out.append(torch.sigmoid(logits).numpy())
    return np.concatenate(out)


def tokenize_seconds(route: str, clf, texts: list[str]) -> float:
    """The time the route spends tokenising `texts` (the same calls, without the model)."""
    from eventclf.windows import encode_windows

    started = time.perf_counter()
    if route == "hf-baseline":
        for start in range(0, len(texts), 32):
            clf.tokenizer([clf.text_prefix + t for t in texts[start : start + 32]], padding=True, truncation=True,
                          max_length=clf.max_length, return_tensors="pt")
    else:
        windows, _ = encode_windows(clf.tokenizer, texts, clf.text_prefix, clf.max_length)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
        for start in range(0, len(order), 32):
            clf.tokenizer.pad({"input_ids": [windows[i] for i in order[start : start + 32]]}, return_tensors="pt")
    return time.perf_counter() - started


def worker(route: str, model: Path, scratch: Path, n: int) -> dict:
    """One route, in this (fresh) process: load, warm up, tag n paragraphs, then one at a time; report."""
    import torch

    if route == "tokenizer":  # what the tokenizer alone adds to every route's memory
        from transformers import AutoTokenizer

        import eventclf.inference  # noqa: F401  the imports every route pays, so they are not counted here

        before = peak_rss_mb()
        AutoTokenizer.from_pretrained(model)
        return {"rss_mb": peak_rss_mb() - before}
    if route.startswith("export:"):
        started = time.perf_counter()
        export(route.split(":", 1)[1], model, scratch)
        return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}
    started = time.perf_counter()
    clf = load(route, model, scratch)
    load_s = time.perf_counter() - started
    texts, examples = texts_and_examples(clf.labels, n)
    tag = (lambda batch: hf_loop(clf, batch)) if route == "hf-baseline" else clf.predict_proba
    started = time.perf_counter()
    tag(texts[:32]), tag(texts[:1])  # untimed: first-call set-up (torch.compile compiles here), paid once per process
    warmup_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    probs = tag(texts)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    calls = []
    for text in texts[:LATENCY_CALLS]:
        started = time.perf_counter()
        tag([text])
        calls.append(time.perf_counter() - started)
    threads = min(torch.get_num_threads(), os.cpu_count() or 1)
    return {"paragraphs_per_s": n / seconds, "seconds": seconds, "load_s": load_s, "warmup_s": warmup_s,
            "tokenize_s": tokenize_seconds(route, clf, texts), "peak_rss_mb": peak_rss_mb(),
            "threads": torch.get_num_threads(), "cpu_share": cpu / (seconds * threads),
            "latency_ms_p50": 1000 * float(np.percentile(calls, 50)),
            "latency_ms_p95": 1000 * float(np.percentile(calls, 95)),
            "test_probs": probs[: len(examples)].round(5).tolist()}
