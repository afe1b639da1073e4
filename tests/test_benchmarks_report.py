"""benchmarks.report: mean ± std over seeds, tables, and JSON that keeps both."""
import json

import numpy as np
import pytest

from benchmarks.report import (SPEED_FLAGS, Spread, aggregate, cpu, cpu_line, publish, read_json, section_markers, stamp,
                               table, write_json)


def test_aggregate_gives_mean_and_spread_and_keeps_agreeing_counts():
    runs = [{"f1": 0.5, "support": 10, "name": "a", "per_type": {"a": {"f1": 0.2}}},
            {"f1": 0.7, "support": 10, "name": "b", "per_type": {"a": {"f1": 0.4}}}]
    agg = aggregate(runs)
    assert agg["support"] == 10 and agg["name"] == "a"
    assert agg["f1"] == Spread(pytest.approx(0.6), pytest.approx(np.std([0.5, 0.7], ddof=1)))
    assert agg["per_type"]["a"]["f1"].mean == pytest.approx(0.3)
    assert aggregate([{"f1": 0.5}]) == {"f1": Spread(0.5, 0.0)}  # one seed: no spread


def test_table_formats_spreads_scores_and_missing_numbers_and_aligns_columns():
    lines = table(["system", "F1", "ECE"], [["model", Spread(0.91234, 0.0125), None], ["tfidf", 0.8, 0.03]],
                  align="lrr")
    assert lines == ["| system | F1 | ECE |", "|---|---:|---:|",
                     "| model | 0.912 ± 0.013 | n/a |", "| tfidf | 0.800 | 0.030 |"]
    assert table(["a", "b"], [])[1] == "|---|---|"  # left-aligned unless told


def test_spreads_are_written_as_mean_and_std_and_read_back(tmp_path):
    results = {"model": {"f1": Spread(0.9, 0.01), "n": 40}, "tfidf": {"f1": 0.8}}
    write_json(tmp_path / "r.json", results)
    assert json.loads((tmp_path / "r.json").read_text())["model"]["f1"] == {"mean": 0.9, "std": 0.01}
    assert read_json(tmp_path / "r.json") == results
    assert list(tmp_path.iterdir()) == [tmp_path / "r.json"]  # no partial file left beside it


def test_cpu_header_names_the_speed_flags_or_says_they_were_not_recorded():
    machine = cpu()
    assert machine["cores"] >= 1 and set(machine["cpu_flags"]) <= set(SPEED_FLAGS)
    assert cpu_line({"cpu": "AMD EPYC", "cores": 2, "cpu_flags": ["avx2", "avx512_vnni"]}) == \
        "AMD EPYC, 2 cores, flags avx2 avx512_vnni"
    assert cpu_line({"cpu": "Xeon", "cores": 2, "cpu_flags": []}).endswith("flags none of " + "/".join(SPEED_FLAGS))
    assert cpu_line({"cpu": "old run", "cores": 2}).endswith("flags not recorded")


def test_publish_writes_the_json_refreshes_the_page_section_and_prints(tmp_path, capsys):
    markers = section_markers("x", "python -m benchmarks.x")
    page = tmp_path / "results.md"
    page.write_text(f"top\n{markers[0]}\nold\n{markers[1]}\n", encoding="utf-8")
    report = {"meta": stamp("python -m benchmarks.x", n=3)}
    publish(report, tmp_path / "x.json", page, markers, lambda r: f"n={r['meta']['n']}", "python -m benchmarks.x")
    assert read_json(tmp_path / "x.json")["meta"]["cpu_flags"] == cpu()["cpu_flags"]
    assert page.read_text(encoding="utf-8") == f"top\n{markers[0]}\nn=3\n{markers[1]}\n"
    assert capsys.readouterr().out == "n=3\n"
