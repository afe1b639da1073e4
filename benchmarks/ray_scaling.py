"""Ray Data throughput on this machine: `eventclf.integrations.ray.tag_dataset` with 1 and 2 int8 actors, against
the same paragraphs tagged in one plain process (`EventClassifier.predict`, int8), the no-cluster route.

Each figure is end to end: Ray's own start-up is left out (a cluster is already running), but the actors' start-up
and model load are in, since every `tag_dataset` run pays them; a second run over one row per actor times that
fixed cost alone, and the rate without it is shown beside. The cores are split evenly among the actors.

Usage: python -m benchmarks.ray_scaling --model runs/default --n 2000   (writes benchmarks/results/ray.json)
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from benchmarks import RESULTS_DIR
from benchmarks.report import cpu_line, stamp, table, write_json

COMMAND = "python -m benchmarks.ray_scaling"


def paragraphs(n: int) -> list[dict]:
    from eventclf.config import BUNDLED_CORPUS
    from eventclf.data import read_examples
    from eventclf.labels import load_label_set

    examples = read_examples(BUNDLED_CORPUS / "test.jsonl", load_label_set().names)
    return [{"id": i, "text": examples[i % len(examples)].text} for i in range(n)]


def one_process(model: str, rows: list[dict]) -> float:
    from eventclf import EventClassifier

    start = time.perf_counter()
    EventClassifier.from_pretrained(model, quantize="int8").predict([r["text"] for r in rows])
    return time.perf_counter() - start


def on_ray(model: str, rows: list[dict], actors: int) -> float:
    import ray

    from eventclf.integrations.ray import tag_dataset

    dataset = ray.data.from_items(rows).materialize()  # the input already in the object store, as read from storage
    start = time.perf_counter()
    tag_dataset(dataset, model, actors=actors, cpus_per_actor=max(1, os.cpu_count() // actors)).materialize()
    return time.perf_counter() - start


def measure(model: str, n: int, actor_counts: list[int]) -> dict:
    import ray

    from eventclf.quantize import ensure_int8

    ensure_int8(model)  # the one-time export is not part of any row
    rows = paragraphs(n)
    seconds = {"one process": one_process(model, rows)}
    fixed = {"one process": one_process(model, rows[:1])}
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    for k in actor_counts:
        route = f"Ray, {k} actor{'s' if k > 1 else ''}"
        seconds[route], fixed[route] = on_ray(model, rows, k), on_ray(model, rows[:k], k)
    ray.shutdown()
    meta = stamp(f"{COMMAND} --model {model} --n {n}", n=n, ray=ray.__version__,
                 load_average_1min=os.getloadavg()[0])
    return {"meta": meta, "seconds": seconds, "fixed_seconds": fixed}


def markdown(report: dict) -> str:
    meta, seconds, fixed = report["meta"], report["seconds"], report["fixed_seconds"]
    base, n = seconds["one process"], meta["n"]
    rows = [[route, f"{s:.1f}", f"{n / s:.1f}", f"{base / s:.2f}", f"{fixed[route]:.1f}",
             f"{n / (s - fixed[route]):.1f}"] for route, s in seconds.items()]
    return "\n".join([f"Measured {meta['date']} with `{meta['command']}` on {cpu_line(meta)}; Ray {meta['ray']}.", "",
                      *table(["route", "seconds", "paragraphs/s", "vs one process", "start-up s (load, 1 row)",
                              "paragraphs/s after start-up"], rows, align="lrrrrr")])


def main() -> None:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="runs/default", help="trained model folder")
    parser.add_argument("--n", type=int, default=2000, help="paragraphs (the bundled test split, repeated)")
    parser.add_argument("--actors", type=int, nargs="+", default=[1, 2], help="actor counts to time")
    parser.add_argument("--output", default=str(RESULTS_DIR / "ray.json"), help="results JSON")
    args = parser.parse_args()
    report = measure(args.model, args.n, args.actors)
    write_json(Path(args.output), report)
    print(markdown(report))


if __name__ == "__main__":
    main()
