"""Accuracy benchmark: the fine-tuned model (several seeds) against three baselines, with a results page.

    python -m benchmarks.accuracy --reuse runs/default   # full run; runs/default (seed 42) counts as one seed
    python -m benchmarks.accuracy --reuse runs/default runs/seed-43 runs/seed-44   # three trained seeds: none trained
    python -m benchmarks.accuracy --quick                 # smoke run: tiny data, 1 epoch, output to a temp dir

Scores the bundled test split (per type, per language) and the real English data of `benchmarks.real_data`;
trains an English-only model for cross-lingual transfer; measures calibration and training cost. Writes
docs/results.md, docs/figures/*.png and benchmarks/results/accuracy.json (with --out DIR: all of them into DIR).
Models go to runs/benchmark/ and a rerun reuses any whose config and data are unchanged; frozen embeddings, fitted
baselines and model probabilities are cached in benchmarks/.cache/, so a rerun after a finished run only redraws the
page, and draws the same page apart from its date and duration.

Modules: `data` (what is scored), `runs` (training and reuse), `scoring`, `figures`, `page` (the results page) and
`__main__` (the command line).
"""

MODEL = "fine_tuned"  # the fine-tuned model's key among the results' systems; every other key is a baseline's
