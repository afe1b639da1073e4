"""CPU inference speed, side by side: a plain Hugging Face loop against eventclf's routes, on the same paragraphs.

Each route runs in a fresh subprocess, so its load time and peak resident memory are its own (routes.py says what
each route is). Exports run first, each in its own subprocess, timed apart. Throughput is end to end (tokenising
included) over --n paragraphs: the bundled test split, repeated as needed; tokenising alone is timed too. Latency is
one paragraph per call. Macro-F1 is on the test split (its first --n paragraphs if fewer) with the model's tuned
thresholds. A vocabulary section says what keeping only the word-embedding rows a corpus uses would save.

Usage: python -m benchmarks.speed --model runs/default --n 1000   (writes benchmarks/results/speed.json;
                                                                   `python -m benchmarks.accuracy --refresh-speed`
                                                                   then puts it on docs/results.md)
       python -m benchmarks.speed --quick                          (smoke test on a tiny untrained model)
"""
from benchmarks.speed.page import markdown, routes_table
from benchmarks.speed.quick import quick_model
from benchmarks.speed.routes import CANDIDATES, ROUTES, SHIPPED, texts_and_examples
from benchmarks.speed.run import COMMAND, run_worker
from benchmarks.speed.verdict import GOAL_SPEEDUP, decision

__all__ = ["CANDIDATES", "COMMAND", "GOAL_SPEEDUP", "ROUTES", "SHIPPED", "decision", "markdown", "quick_model",
           "routes_table", "run_worker", "texts_and_examples"]
