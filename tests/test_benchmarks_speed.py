"""benchmarks.speed: which int8 route is kept, and the table the results page shows."""
import numpy as np

from benchmarks import speed
from eventclf import EventClassifier


def speed_record(per_s: float, f1_change: float, rss: float = 1000.0) -> dict:
    return {"paragraphs_per_s": per_s, "f1_change_vs_fp32": f1_change, "peak_rss_mb": rss, "disk_mb": 150.0}


def test_speed_decision_keeps_the_accurate_route_when_the_fast_ones_tie_or_lose_accuracy():
    results = {route: speed_record(30.0, 0.0) for route in speed.CANDIDATES}
    results.update({"torch-int8": speed_record(120.0, -0.03), "openvino-int8": speed_record(90.0, -0.004),
                    "openvino-int8-all": speed_record(95.0, -0.008), "eventclf-int8": speed_record(60.0, -0.003)})
    results["openvino-int8"]["speedup_vs_baseline"] = 5.2
    text = speed.decision(results)  # 95 vs 90 is a tie, so F1 decides; 120 is out on F1
    assert '- Kept: openvino-int8, shipped as quantize="openvino-int8".' in text and "WARNING" not in text
    assert "torch-int8 not kept: macro-F1 further than 0.01" in text
    assert "openvino-int8-all not kept: as fast within 20%, but further from fp32's F1" in text
    assert "eventclf-int8 not kept: more than 20% slower" in text
    assert "openvino-int8 runs 5.20x, met." in text

    results["openvino-int8-all"] = speed_record(120.0, -0.009)  # now clearly faster and within the F1 bound
    assert "WARNING: the winner this run, openvino-int8-all, is not a shipped route" in speed.decision(results)


def test_routes_table_has_a_right_aligned_row_per_route():
    results = {name: {**speed_record(12.0 + i, 0.0), "speedup_vs_baseline": 1.0 + i, "cpu_share": 0.99,
                      "load_s": 4.0, "warmup_s": 0.5, "macro_f1": 0.9, "same_labels_as_fp32": 1.0,
                      "latency_ms_p50": 20.0, "latency_ms_p95": 31.0, "tokenize_s": 1.0, "seconds": 4.0}
               for i, name in enumerate(speed.ROUTES)}
    lines = speed.routes_table(results)
    assert lines[1] == "|---|" + "---:|" * 11
    assert lines[2:] == [f"| {name} | {12.0 + i:.1f} | {1.0 + i:.2f} | 0.900 | +0.000 | 100.0% | 20 / 31 | 25% | 99% "
                         "| 4.0 + 0.5 | 1000 | 150.0 |" for i, name in enumerate(speed.ROUTES)]


def test_a_route_runs_in_its_own_process_on_the_quick_model(tmp_path):
    model = speed.quick_model(tmp_path)
    result = speed.run_worker("eventclf-fp32", str(model), 4, str(tmp_path))  # a fresh process, as the benchmark runs it
    assert result["paragraphs_per_s"] > 0 and result["peak_rss_mb"] > 0
    clf = EventClassifier.from_pretrained(model)
    in_process = clf.predict_proba(speed.texts_and_examples(clf.labels, 4)[0])
    assert np.allclose(result["test_probs"], in_process, atol=1e-5)  # the worker tags what the library tags
