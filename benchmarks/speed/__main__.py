"""CPU inference speed, side by side: the usual Hugging Face loop against eventclf's routes, on the same paragraphs.

Each route runs in a fresh subprocess, so its load time and peak resident memory are its own:
- hf-baseline: what a transformers pipeline runs for this model: the same fine-tuned EventModel, the tokenizer called
  on the texts (with the model's prefix) in input order, batch 32, padding to the longest in each batch, truncation
  at max_length, fp32, torch.no_grad.
- eventclf-fp32: `EventClassifier.predict_proba`: length-sorted batches, dynamic padding, inference_mode.
- torch-int8: the same, with torch's dynamic quantisation of every nn.Linear (a candidate, not shipped).
- torch-int8-ffn-fp32: the same, but the feed-forward down-projections stay fp32, as in the ONNX route (not shipped).
- eventclf-int8: `EventClassifier.from_pretrained(model, quantize="int8")`, ONNX Runtime with int8 weights except the
  feed-forward down-projections (shipped; its one-time export runs first, in its own subprocess, timed apart).
Throughput is end to end (tokenising included) over --n paragraphs: the bundled test split, repeated as needed.
Macro-F1 is on the test split (its first --n paragraphs if fewer) with the model's tuned thresholds.
A vocabulary section says what keeping only the word-embedding rows a corpus uses would save.

Usage: python -m benchmarks.speed --model runs/default --n 1000   (writes benchmarks/results/speed.json;
                                                                   `python -m benchmarks.accuracy --refresh-speed`
                                                                   then puts it on docs/results.md)
       python -m benchmarks.speed --quick                          (smoke test on a tiny untrained model)

eventclf is imported inside functions, never at the top: a route's import of transformers belongs to its timed load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks import RESULTS_DIR, ROOT
from benchmarks.report import cpu, cpu_line

COMMAND = "python -m benchmarks.speed"
ROUTES = ("hf-baseline", "eventclf-fp32", "torch-int8", "torch-int8-ffn-fp32", "eventclf-int8")
CANDIDATES = ("torch-int8", "torch-int8-ffn-fp32", "eventclf-int8")  # int8 routes the decision weighs
F1_TOLERANCE = 0.01
SPEED_TIE = 0.10  # throughputs this close count as equal: quiet repeat runs on one 2-core machine vary about this much
WEIGHT_FILES = {"model.safetensors", "model.int8.onnx"}


def texts_and_examples(labels, n: int):
    from eventclf.config import BUNDLED_CORPUS
    from eventclf.data import read_examples

    examples = read_examples(BUNDLED_CORPUS / "test.jsonl", labels)
    return [examples[i % len(examples)].text for i in range(n)], examples[:n]


def hf_loop(clf, texts: list[str]) -> np.ndarray:
    import torch

    out = []
    with torch.no_grad():
        for start in range(0, len(texts), 32):
            batch = clf.tokenizer([clf.text_prefix + t for t in texts[start : start + 32]], padding=True,
                                  truncation=True, max_length=clf.max_length, return_tensors="pt")
            logits = clf.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])["logits"]
            out.append(torch.sigmoid(logits).numpy())
    return np.concatenate(out)


def load(route: str, model: str):
    import torch

    from eventclf import EventClassifier

    if route == "eventclf-int8":
        return EventClassifier.from_pretrained(model, quantize="int8")
    clf = EventClassifier.from_pretrained(model, device="cpu")
    if route.startswith("torch-int8"):
        from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic

        width = clf.model.config.intermediate_size
        spec = {name: default_dynamic_qconfig for name, m in clf.model.named_modules() if isinstance(m, torch.nn.Linear)
                and not (route == "torch-int8-ffn-fp32" and m.in_features == width)}
        with warnings.catch_warnings():  # torch.ao.quantization is deprecated; these candidates are measured, not shipped
            warnings.simplefilter("ignore")
            clf.model = quantize_dynamic(clf.model, spec, dtype=torch.qint8)
    return clf


def worker(route: str, model: str, n: int) -> dict:
    """One route, in this (fresh) process: load, tag n paragraphs, report."""
    import torch

    if route == "export":
        from eventclf.quantize import export_int8

        started = time.perf_counter()
        export_int8(model)
        return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}
    if route == "tokenizer":  # what the tokenizer alone adds to every route's memory
        from transformers import AutoTokenizer

        import eventclf.inference  # noqa: F401  the imports every route pays, so they are not counted here

        before = peak_rss_mb()
        AutoTokenizer.from_pretrained(model)
        return {"rss_mb": peak_rss_mb() - before}
    started = time.perf_counter()
    clf = load(route, model)
    load_s = time.perf_counter() - started
    texts, examples = texts_and_examples(clf.labels, n)
    tag = (lambda batch: hf_loop(clf, batch)) if route == "hf-baseline" else clf.predict_proba
    tag(texts[:32])  # warm-up, untimed: first-call kernel set-up and allocation, paid once per process
    started, cpu = time.perf_counter(), time.process_time()
    probs = tag(texts)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    threads = min(torch.get_num_threads(), os.cpu_count() or 1)
    return {"paragraphs_per_s": n / seconds, "seconds": seconds, "load_s": load_s, "peak_rss_mb": peak_rss_mb(),
            "threads": torch.get_num_threads(), "cpu_share": cpu / (seconds * threads),
            "test_probs": probs[: len(examples)].round(5).tolist()}


def peak_rss_mb() -> float:
    """Peak resident memory of this process. Linux: VmHWM, since ru_maxrss is carried over from the parent through
    fork and exec, so a light worker would report its parent's peak."""
    status = Path("/proc/self/status")
    if status.is_file():
        return next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmHWM:")) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)


def run_worker(route: str, model: str, n: int) -> dict:
    started = time.perf_counter()
    command = [sys.executable, "-m", __spec__.name, "--worker", route, "--model", model, "--n", str(n)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)  # the repo root: `benchmarks` imports
    if done.returncode:
        raise SystemExit(f"route {route} failed:\n{done.stderr[-3000:]}")
    print(f"  {route}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def disk_mb(folder: Path, weights: str) -> float:
    """What a deployment of this route ships: the folder, with only the weights file the route reads."""
    return sum(p.stat().st_size for p in folder.iterdir()
               if p.is_file() and not p.name.startswith(".") and (p.name not in WEIGHT_FILES or p.name == weights)) / 2**20


def score(model: Path, results: dict) -> int:
    """Macro-F1 of each route, its change from fp32, and the share of test paragraphs tagged exactly as fp32 tags
    them; returns how many paragraphs were scored."""
    from transformers import AutoConfig

    from eventclf.config import BUNDLED_CORPUS
    from eventclf.data import read_examples
    from eventclf.inference import read_settings
    from eventclf.metrics import apply_thresholds, binarize, evaluate
    from eventclf.modeling import config_labels

    config = AutoConfig.from_pretrained(model)
    labels = config_labels(config)
    thresholds = read_settings(model)["thresholds"]
    n_scored = len(results["eventclf-fp32"]["test_probs"])
    examples = read_examples(BUNDLED_CORPUS / "test.jsonl", labels)[:n_scored]
    truth = binarize([ex.labels for ex in examples], labels)
    ref = apply_thresholds(np.array(results["eventclf-fp32"]["test_probs"]), thresholds, labels)
    for route, r in results.items():
        probs = np.array(r.pop("test_probs"))
        r["macro_f1"] = evaluate(truth, probs, thresholds, labels)["macro_f1"]
        r["same_labels_as_fp32"] = float((apply_thresholds(probs, thresholds, labels) == ref).all(axis=1).mean())
    fp32_f1 = results["eventclf-fp32"]["macro_f1"]
    for r in results.values():
        r["f1_change_vs_fp32"] = r["macro_f1"] - fp32_f1
    return n_scored


def vocabulary(model: Path) -> dict:
    """What keeping only the word-embedding rows the bundled train+validation text uses (plus special tokens) would
    save, and how much of each test language's text would then fall outside the kept vocabulary."""
    from safetensors import safe_open
    from transformers import AutoConfig, AutoTokenizer

    from eventclf.config import BUNDLED_CORPUS
    from eventclf.data import read_examples
    from eventclf.inference import read_settings
    from eventclf.modeling import config_labels

    config, tok = AutoConfig.from_pretrained(model), AutoTokenizer.from_pretrained(model)
    labels = config_labels(config)
    prefix = read_settings(model).get("text_prefix", "")

    def ids(split: str) -> list[tuple[str, list[int]]]:
        examples = read_examples(BUNDLED_CORPUS / f"{split}.jsonl", labels)
        return list(zip([ex.lang for ex in examples], tok([prefix + ex.text for ex in examples])["input_ids"]))

    kept = set(tok.all_special_ids) | {i for split in ("train", "validation") for _, row in ids(split) for i in row}
    seen, lost = Counter(), Counter()
    for lang, row in ids("test"):
        seen[lang] += len(row)
        lost[lang] += sum(i not in kept for i in row)
    total_params = 0
    weights = model / "model.safetensors"
    if weights.is_file():
        with safe_open(str(weights), "pt") as f:
            total_params = sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())
    rows, width = config.vocab_size, config.hidden_size
    return {
        "vocab_size": rows, "kept_rows": len(kept), "embedding_params": rows * width, "total_params": total_params,
        "saved_mb_int8": (rows - len(kept)) * width / 2**20, "saved_mb_fp32": (rows - len(kept)) * width * 4 / 2**20,
        "test_tokens_outside_kept_by_language": {lang: lost[lang] / seen[lang] for lang in sorted(seen)},
    }


def quick_model(folder: Path) -> Path:
    """A tiny untrained model with a word-level tokenizer built from the bundled corpus, reading windows of the
    default length: exercises every route."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from eventclf.config import BUNDLED_CORPUS, TrainingConfig
    from eventclf.inference import EventClassifier
    from eventclf.labels import load_label_set
    from eventclf.modeling import EventModel

    window = TrainingConfig().max_length
    words = Counter(w for line in (BUNDLED_CORPUS / "train.jsonl").open(encoding="utf-8")
                    for w in json.loads(line)["text"].lower().split())
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] +
                                                [w for w, _ in words.most_common(3000)]), encoding="utf-8")
    tokenizer = BertTokenizerFast(str(folder / "vocab.txt"))
    labels = load_label_set(None).names
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=window, id2label=dict(enumerate(labels)),
                        label2id={name: i for i, name in enumerate(labels)})
    model = EventModel(BertModel(config, add_pooling_layer=False))
    model.save(folder)
    tokenizer.save_pretrained(folder)
    EventClassifier(model, tokenizer, dict.fromkeys(labels, 0.5), "query: ", window, "cpu").save_settings(folder)
    return folder


def decision(results: dict) -> str:
    """Keep the fastest int8 candidate whose macro-F1 is within F1_TOLERANCE of fp32; between candidates within
    SPEED_TIE of the fastest, the one closest to fp32's F1, then the lightest. Say why the others lost."""
    def ok(route: str) -> bool:
        return abs(results[route]["f1_change_vs_fp32"]) <= F1_TOLERANCE

    lines = [f"{route}: {r['paragraphs_per_s']:.1f} paragraphs/s, macro-F1 {r['f1_change_vs_fp32']:+.3f} vs fp32, "
             f"{r['peak_rss_mb']:.0f} MB peak RSS, {r['disk_mb']:.0f} MB on disk"
             for route, r in ((route, results[route]) for route in CANDIDATES)]
    eligible = [route for route in CANDIDATES if ok(route)]
    fastest = max((results[route]["paragraphs_per_s"] for route in eligible), default=0.0)
    tied = [route for route in eligible if results[route]["paragraphs_per_s"] >= (1 - SPEED_TIE) * fastest]
    winner = min(tied, key=lambda route: (abs(results[route]["f1_change_vs_fp32"]), results[route]["peak_rss_mb"]),
                 default=None)
    for route in CANDIDATES:
        if route != winner:
            why = (f"macro-F1 further than {F1_TOLERANCE} from fp32" if not ok(route) else
                   f"more than {SPEED_TIE:.0%} slower" if route not in tied else
                   f"as fast within {SPEED_TIE:.0%}, but further from fp32's F1 or heavier")
            lines.append(f"{route} not kept: {why}.")
    if winner == "eventclf-int8":
        lines.append("Kept: eventclf-int8 (ONNX Runtime). It also stores the word embedding as int8, so it is the "
                     "smallest on disk and in RAM, and it does not rest on torch's deprecated torch.ao.quantization.")
    else:
        lines.append(f"WARNING: the shipped eventclf-int8 is not the winner this run ({winner or 'none'} is); revisit.")
    return "\n".join(f"- {line}" for line in lines)


def routes_table(results: dict) -> list[str]:
    """One row per route, numbers right-aligned."""
    from benchmarks.report import table  # imports eventclf: not at the top (see the module docstring)

    header = ["route", "paragraphs/s", "× baseline", "CPU use", "load (s)", "peak RSS (MB)", "× baseline RSS",
              "disk (MB)", "macro-F1", "Δ F1 vs fp32", "same labels as fp32"]
    rows = [[route, f"{r['paragraphs_per_s']:.1f}", f"{r['speedup_vs_baseline']:.2f}", f"{r['cpu_share']:.0%}",
             f"{r['load_s']:.1f}", f"{r['peak_rss_mb']:.0f}", f"{r['rss_vs_baseline']:.2f}", f"{r['disk_mb']:.1f}",
             f"{r['macro_f1']:.3f}", f"{r['f1_change_vs_fp32']:+.3f}", f"{r['same_labels_as_fp32']:.1%}"]
            for route, r in ((route, results[route]) for route in ROUTES)]
    return table(header, rows, align="l" + "r" * (len(header) - 1))


def markdown(results: dict, meta: dict) -> str:
    base = results["hf-baseline"]
    lines = [*([f"Measured {meta['date']} with `{meta['command']}`.", ""] if "date" in meta else []),
             f"{meta['n']} paragraphs (bundled test split, repeated) on {cpu_line(meta)}; torch threads "
             f"{base['threads']}, load average {meta['load_average_1min']:.1f} at start; macro-F1 on "
             f"{meta['n_scored']} test paragraphs with the tuned thresholds. CPU use: CPU time over wall time times "
             f"threads while tagging; well below 100% means other processes took the cores and that row is slow.", "",
             *routes_table(results)]
    export = meta["onnx_export"]
    lines += ["", f"One-time int8 export (fp32 -> ONNX -> int8, into the model folder): {export['seconds']:.0f} s, "
                  f"{export['peak_rss_mb']:.0f} MB peak.", "", "int8 decision:", meta["decision"]]
    v = meta["vocabulary"]
    if v:
        outside = ", ".join(f"{lang} {share:.1%}" for lang, share in
                            sorted(v["test_tokens_outside_kept_by_language"].items(), key=lambda kv: -kv[1]))
        lines += ["", f"Vocabulary: the word embedding is {v['embedding_params'] / 1e6:.1f}M of "
                      f"{v['total_params'] / 1e6:.1f}M parameters ({v['vocab_size']} rows). The bundled train+validation "
                      f"text uses {v['kept_rows']} rows (special tokens included); keeping only those would save "
                      f"{v['saved_mb_int8']:.0f} MB in the int8 file and in RAM ({v['saved_mb_fp32']:.0f} MB at fp32), "
                      f"and shrink the tokenizer, which alone takes {v['tokenizer_rss_mb']:.0f} MB of RAM. "
                      f"Share of test-split tokens outside that vocabulary, by language: {outside}."]
    return "\n".join(lines)


def measure(model: Path, n: int) -> dict:
    import onnxruntime
    import torch

    meta = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": f"{COMMAND} --model {model} --n {n}", "n": n, "model": str(model),
            **cpu(), "load_average_1min": os.getloadavg()[0],
            "platform": platform.platform(), "torch": torch.__version__, "onnxruntime": onnxruntime.__version__}
    meta["onnx_export"] = run_worker("export", str(model), n)  # first: the int8 route then loads a fresh export
    results = {route: run_worker(route, str(model), n) for route in ROUTES}
    meta["n_scored"] = score(model, results)
    base = results["hf-baseline"]
    for route in ROUTES:
        r = results[route]
        r["disk_mb"] = disk_mb(model, "model.int8.onnx" if route == "eventclf-int8" else "model.safetensors")
        r["speedup_vs_baseline"] = r["paragraphs_per_s"] / base["paragraphs_per_s"]
        r["rss_vs_baseline"] = r["peak_rss_mb"] / base["peak_rss_mb"]
    meta["decision"] = decision(results)
    meta["vocabulary"] = {**vocabulary(model), "tokenizer_rss_mb": run_worker("tokenizer", str(model), n)["rss_mb"]}
    return {"meta": meta, "routes": results}


def main() -> None:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="trained model folder (default: the config's output_dir, runs/default)")
    parser.add_argument("--n", type=int, help="paragraphs per route (default 1000; 64 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke test on a tiny untrained model")
    parser.add_argument("--output", help="results JSON (default benchmarks/results/speed.json; none with --quick)")
    parser.add_argument("--worker", choices=("export", "tokenizer") + ROUTES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.n or (64 if args.quick else 1000)
    if args.worker:  # run_worker always names the model
        print(json.dumps(worker(args.worker, args.model, n)))
        return
    from benchmarks.report import write_json
    from eventclf.config import TrainingConfig
    from eventclf.inference import read_settings

    with tempfile.TemporaryDirectory() as tmp:
        model = quick_model(Path(tmp)) if args.quick else Path(args.model or TrainingConfig().output_dir)
        try:
            read_settings(model)
        except FileNotFoundError as exc:
            raise SystemExit(str(exc)) from None
        report = measure(model, n)
    output = args.output or (None if args.quick else RESULTS_DIR / "speed.json")
    if output:
        write_json(Path(output), report)
    if args.quick:
        print("--quick: a tiny untrained model; the numbers only show that every route runs.\n")
    print(markdown(report["routes"], report["meta"]))


if __name__ == "__main__":
    main()
