"""Tag a `ray.data.Dataset` on a Ray cluster: `map_batches` with a callable class, so each actor loads the
classifier once and keeps it for every batch it is given (`pip install 'eventclf[ray]'`; see docs/scaling.md).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, MissingDependencyError

if TYPE_CHECKING:
    import pyarrow as pa
    import ray.data


class EventTagger:
    """What each Ray actor runs: loads an `EventClassifier` once, then adds `pred_labels` and `pred_scores` to
    every batch, the columns `predict_dataset` adds.

    Args:
        model_path: a model folder every node can read (shared storage, or copied to the same path on each).
        text_column: the column holding the paragraphs.
        batch_size: windows per forward pass.
        device: "cpu" or "cuda".
        quantize: one of `eventclf.config.QUANTIZE_CHOICES` (CPU only) or None.
        threads: torch and ONNX Runtime threads in this actor (its share of the node's cores).
    """

    def __init__(self, model_path: str, text_column: str, batch_size: int, device: str, quantize: str | None,
                 threads: int):
        import torch

        from ..inference import EventClassifier

        torch.set_num_threads(threads)
        self.classifier = EventClassifier.from_pretrained(model_path, device=device, quantize=quantize)
        self.text_column, self.batch_size = text_column, batch_size

    def __call__(self, batch: pa.Table) -> pa.Table:
        import pyarrow as pa

        labels = self.classifier.labels
        preds = self.classifier.predict(batch.column(self.text_column).to_pylist(), batch_size=self.batch_size)
        # explicit types: a batch whose every row is "no event" must still give list<string>, not list<null>
        batch = batch.append_column("pred_labels", pa.array([list(p.labels) for p in preds], pa.list_(pa.string())))
        scores = pa.struct([(name, pa.float64()) for name in labels])
        return batch.append_column("pred_scores", pa.array([p.scores for p in preds], scores))


def tag_dataset(dataset: ray.data.Dataset, model_path: str | Path, *, text_column: str = "text",
                actors: int = 1, cpus_per_actor: int = 1, gpus_per_actor: float = 0, quantize: str | None = "auto",
                rows_per_batch: int = 256, batch_size: int = 32,
                tagger: type[EventTagger] = EventTagger) -> ray.data.Dataset:
    """Add `pred_labels` (types above the tuned thresholds) and `pred_scores` (every type's probability) to each
    row of a Ray dataset, with a fixed pool of `actors` actors. Lazy, like every Ray Data transform: nothing runs
    until the result is written or iterated.

    Args:
        dataset: rows with a `text_column` of str; every other column is kept.
        model_path: a model folder every node can read at this path.
        actors: actors in the pool; each holds one copy of the model (about 1 GB with int8, 1.3 GB fp32).
        cpus_per_actor: cores each actor reserves and uses as threads.
        gpus_per_actor: GPUs each actor reserves (0 = CPU actors); a GPU actor runs fp32 on CUDA.
        quantize: the CPU route, as in `EventClassifier.from_pretrained` ("int8" or "openvino-int8"); "auto" =
            "int8" on CPU actors and fp32 on GPU actors; None = fp32.
        rows_per_batch: rows handed to an actor at a time (Ray retries a failed batch as a whole).
        batch_size: windows per forward pass.
        tagger: the callable class each actor runs; a subclass can add per-batch work such as logging.

    Returns:
        The dataset with the two columns added.

    Raises:
        MissingDependencyError: Ray Data is not installed.
        ConfigError: a quantized route asked on GPU actors, an unknown route, or a count below 1.

    Example:
        >>> import ray
        >>> from eventclf.integrations.ray import tag_dataset
        >>> paragraphs = ray.data.read_json("shared/corpus/*.jsonl")  # doctest: +SKIP
        >>> tag_dataset(paragraphs, "shared/runs/default", actors=4).write_parquet("shared/tagged")  # doctest: +SKIP
    """
    if importlib.util.find_spec("ray") is None:
        raise MissingDependencyError("tag_dataset needs Ray Data: pip install 'eventclf[ray]'")
    import ray.data

    on_gpu = gpus_per_actor > 0
    if min(actors, cpus_per_actor, rows_per_batch, batch_size) < 1:
        raise ConfigError("actors, cpus_per_actor, rows_per_batch and batch_size must each be at least 1")
    if quantize == "auto":
        quantize = None if on_gpu else "int8"
    if quantize:
        from ..quantize import check_quantize, ensure_export

        check_quantize(quantize, "cuda" if on_gpu else "cpu")
        ensure_export(model_path, quantize)  # once here, rather than every actor exporting the same files at once
    return dataset.map_batches(
        tagger, batch_format="pyarrow", batch_size=rows_per_batch, compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=cpus_per_actor, num_gpus=gpus_per_actor or None,
        fn_constructor_kwargs={"model_path": str(model_path), "text_column": text_column, "batch_size": batch_size,
                               "device": "cuda" if on_gpu else "cpu", "quantize": quantize,
                               "threads": cpus_per_actor})
