"""Which int8 route wins, by a rule fixed in code: macro-F1 within F1_TOLERANCE of fp32, then speed, ties broken by
F1 then memory; and each route's macro-F1 on the test split."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.speed.routes import CANDIDATES, SHIPPED

F1_TOLERANCE = 0.01
# throughputs this close count as equal: in five quiet runs of the same routes on one 2-core machine (2026-12-01),
# one route ranged 85-105 paragraphs/s and the ratio between the two OpenVINO routes 0.99-1.19
SPEED_TIE = 0.20
GOAL_SPEEDUP = 5.0  # issue 13: at least 5x the plain Hugging Face loop, within F1_TOLERANCE


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
    for r in results.values():
        probs = np.array(r.pop("test_probs"))
        r["macro_f1"] = evaluate(truth, probs, thresholds, labels)["macro_f1"]
        r["same_labels_as_fp32"] = float((apply_thresholds(probs, thresholds, labels) == ref).all(axis=1).mean())
    fp32_f1 = results["eventclf-fp32"]["macro_f1"]
    for r in results.values():
        r["f1_change_vs_fp32"] = r["macro_f1"] - fp32_f1
    return n_scored


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
    if winner in SHIPPED:
        lines.append(f'Kept: {winner}, shipped as quantize="{SHIPPED[winner]}".')
    else:
        lines.append(f"WARNING: the winner this run, {winner or 'none'}, is not a shipped route; revisit.")
    if winner and "speedup_vs_baseline" in results[winner]:
        speedup = results[winner]["speedup_vs_baseline"]
        lines.append(f"Goal, {GOAL_SPEEDUP:.0f}x the plain Hugging Face loop within {F1_TOLERANCE} macro-F1: "
                     f"{winner} runs {speedup:.2f}x, {'met' if speedup >= GOAL_SPEEDUP else 'not met'}.")
    return "\n".join(f"- {line}" for line in lines)
