"""Ray Data: a local two-CPU Ray tags rows exactly as `EventClassifier.predict` does, even when an actor dies."""
import os
import signal
import sys
from pathlib import Path

import pyarrow as pa
import pytest
import ray
import ray.cloudpickle
import torch
from conftest import make_rows

from eventclf import ConfigError, EventClassifier
from eventclf.integrations.ray import EventTagger, tag_dataset

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # actors cannot import this test module


class DiesOnce(EventTagger):
    """SIGKILLs its own actor on its first batch of the run (the marker file says whether that happened)."""

    marker = ""

    def __call__(self, batch):
        if not os.path.exists(self.marker):
            Path(self.marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__call__(batch)


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=200 * 2**20, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def rows():
    return make_rows(300, seed=7) + [{"id": f"blank-{i}", "text": " ", "labels": [], "lang": "en"} for i in range(3)]


@pytest.fixture(scope="module")
def expected(trained_model, rows):
    # batch size 1 on both sides: int8 activations are quantised per batch, so only then are scores bit-equal
    clf = EventClassifier.from_pretrained(trained_model, quantize="int8")
    return {r["id"]: p for r, p in zip(rows, clf.predict([r["text"] for r in rows], batch_size=1))}


def _check(result, rows, expected):
    assert sorted(r["id"] for r in result) == sorted(r["id"] for r in rows)  # every row, each once
    for row in result:
        pred = expected[row["id"]]
        assert row["pred_labels"] == list(pred.labels)
        assert row["pred_scores"] == pred.scores
        assert row["lang"] in ("en", "ar")  # the other columns are kept


def test_two_actors_tag_every_row_as_predict_does_through_parquet(local_ray, trained_model, rows, expected,
                                                                   tmp_path):
    tag_dataset(ray.data.from_items(rows), trained_model, actors=2, rows_per_batch=32, batch_size=1).write_parquet(str(tmp_path))
    _check(ray.data.read_parquet(str(tmp_path)).take_all(), rows, expected)


def test_a_killed_actor_is_restarted_and_its_batch_retried(local_ray, trained_model, rows, expected, tmp_path):
    DiesOnce.marker = str(tmp_path / "killed")
    tagged = tag_dataset(ray.data.from_items(rows), trained_model, actors=1, rows_per_batch=64, batch_size=1,
                         tagger=DiesOnce)
    result = tagged.take_all()
    assert (tmp_path / "killed").exists()
    _check(result, rows, expected)


def test_a_batch_without_any_event_keeps_the_column_types(trained_model):
    threads = torch.get_num_threads()  # an actor sets its own; this one runs in the test process
    batch = EventTagger(str(trained_model), "text", 32, "cpu", None, threads)(pa.table({"text": [" ", ""]}))
    torch.set_num_threads(threads)
    assert batch.schema.field("pred_labels").type == pa.list_(pa.string())  # not list<null>, which Parquet rejects
    assert batch.column("pred_scores").type.field("bombing").type == pa.float64()


@pytest.mark.parametrize("quantize", ["int8", "openvino-int8"])
def test_a_quantized_route_on_gpu_actors_is_refused_before_anything_starts(trained_model, quantize):
    with pytest.raises(ConfigError, match="runs on CPU"):
        tag_dataset(None, trained_model, gpus_per_actor=1, quantize=quantize)


def test_an_unknown_route_is_refused_before_anything_starts(trained_model):
    with pytest.raises(ConfigError, match="choose one of"):
        tag_dataset(None, trained_model, quantize="int4")
