"""The speed section of the results page, from the benchmark's JSON."""
from __future__ import annotations

from benchmarks.report import cpu_line, table
from benchmarks.speed.routes import LATENCY_CALLS, ROUTES


def routes_table(results: dict) -> list[str]:
    """One row per route, numbers right-aligned."""
    header = ["route", "paragraphs/s", "× baseline", "macro-F1", "Δ F1 vs fp32", "same labels as fp32",
              "one call p50 / p95 (ms)", "tokenising", "CPU use", "load + warm-up (s)", "peak RSS (MB)", "disk (MB)"]
    rows = [[route, f"{r['paragraphs_per_s']:.1f}", f"{r['speedup_vs_baseline']:.2f}", f"{r['macro_f1']:.3f}",
             f"{r['f1_change_vs_fp32']:+.3f}", f"{r['same_labels_as_fp32']:.1%}",
             f"{r['latency_ms_p50']:.0f} / {r['latency_ms_p95']:.0f}", f"{r['tokenize_s'] / r['seconds']:.0%}",
             f"{r['cpu_share']:.0%}", f"{r['load_s']:.1f} + {r['warmup_s']:.1f}", f"{r['peak_rss_mb']:.0f}",
             f"{r['disk_mb']:.1f}"]
            for route, r in ((route, results[route]) for route in ROUTES)]
    return table(header, rows, align="l" + "r" * (len(header) - 1))


def markdown(results: dict, meta: dict) -> str:
    base = results["hf-baseline"]
    # the folder may have been retrained since: say which of the figures outlive its weights
    lines = [*([f"Measured {meta['date']} with `{meta['command']}`, on that model folder as it was then. Speed "
                f"depends on the network and the text, not on the trained weights, so a default retrained later on "
                f"the same base model runs at about these speeds on the same text; the macro-F1 column is that "
                f"day's model's (the current default's scores are in the Summary).", ""] if "date" in meta else []),
             f"{meta['n']} paragraphs (bundled test split, repeated) on {cpu_line(meta)}; torch threads "
             f"{base['threads']}, load average {meta['load_average_1min']:.1f} at start; macro-F1 on "
             f"{meta['n_scored']} test paragraphs with the tuned thresholds. One call: one paragraph per call, "
             f"{LATENCY_CALLS} calls. Tokenising: the share of the batch run's time that tokenising alone takes. "
             f"CPU use: CPU time over wall time times threads while tagging; well below 100% means other processes "
             f"took the cores and that row is slow. Load + warm-up: loading the folder, then the first calls "
             f"(torch.compile compiles there).", "", *routes_table(results), "",
             "One-time exports (each in its own process, before the routes run):", "",
             *table(["route", "seconds", "peak RSS (MB)"],
                    [[route, f"{e['seconds']:.0f}", f"{e['peak_rss_mb']:.0f}"] for route, e in meta["exports"].items()],
                    align="lrr"),
             "", "int8 decision:", meta["decision"]]
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
