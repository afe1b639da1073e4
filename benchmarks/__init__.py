"""The benchmarks behind docs/results.md, run from the repository root as modules:

    python -m benchmarks.accuracy --reuse runs/default      # fine-tuned model vs baselines; writes the results page
    python -m benchmarks.real_text runs/default runs/seed-43  # trained models on real text vs TF-IDF
    python -m benchmarks.speed --model runs/default           # CPU inference routes side by side
    python -m benchmarks.real_data --model runs/default       # per-type tables on the real ACLED and SATP sets

They are not part of the installed `eventclf` package: they read the repository's configs/, docs/ and results/.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "benchmarks" / "results"
DATA_DIR = ROOT / "benchmarks" / "data"  # benchmark sets of our own writing (see its README)
CACHE_DIR = ROOT / "benchmarks" / ".cache"  # model probabilities and embeddings, shared by every benchmark
RESULTS_PAGE = ROOT / "docs" / "results.md"
