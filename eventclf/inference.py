"""`EventClassifier`: load a trained model folder and tag paragraphs with event types; `predict_dataset` does the
same over a `datasets.Dataset` in several processes."""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from transformers import AutoTokenizer

from .config import TrainingConfig
from .errors import ConfigError, DataError, EventclfError, ModelFolderError, TextTypeError, one_line
from .evidence import Evidence, find_evidence
from .lexical import LexicalModel
from .modeling import EventModel
from .windows import encode_windows

if TYPE_CHECKING:
    import datasets

    from .documents import TaggedDocument

_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")
SETTINGS_NAME = "eventclf.json"  # written last: its presence marks a complete model folder


@dataclass(frozen=True)
class Prediction:
    labels: tuple[str, ...]  # types above their threshold, highest score first; () = no event
    scores: dict[str, float]  # probability of every type
    evidence: dict[str, Evidence] = field(default_factory=dict)  # per label, with predict(..., evidence=True)


def resolve_device(device: str | None) -> torch.device:
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device={device!r} asked for, but torch sees no CUDA GPU")
    return torch.device(device)


def check_texts(texts: Sequence[str]) -> list[str]:
    """The texts as a list of str the tokenizer can take: a lone surrogate (half of a UTF-16 pair, e.g. from a
    badly decoded file) becomes U+FFFD, since the Rust tokenizer refuses it; anything that is not a str is refused."""
    if isinstance(texts, (str, bytes)):
        raise TextTypeError("texts must be a list of strings; for one paragraph pass [text]")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            hint = " (decode bytes first, e.g. text.decode('utf-8'))" if isinstance(text, bytes) else ""
            raise TextTypeError(f"texts[{i}] is {type(text).__name__}, not str{hint}: {text!r:.80}")
    return [_SURROGATE.sub("\ufffd", text) for text in texts]


def _has_words(text: str) -> bool:
    """Whether a text holds any letter or digit, in any script; without one (blank, punctuation, zero-width or
    bidi marks, emoji) it can report no event, and the model is not asked."""
    return any(c.isalnum() for c in text)


def read_settings(path: str | Path) -> dict:
    """A model folder's thresholds, text prefix and window length (its `eventclf.json`)."""
    settings_file = Path(path) / SETTINGS_NAME
    if not settings_file.is_file():
        raise ModelFolderError(f"{path} is not an eventclf model folder (no {SETTINGS_NAME}); "
                               f"train one with `eventclf train` or check the path")
    try:
        settings = json.loads(settings_file.read_text(encoding="utf-8"))
        _check_thresholds(settings["thresholds"], str(settings_file))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelFolderError(f"{settings_file}: not a readable settings file ({_described(exc)})") from None
    return settings


def _check_thresholds(thresholds: Mapping[str, float], source: str) -> None:
    bad = {k: v for k, v in thresholds.items() if not (isinstance(v, (int, float)) and 0 <= v <= 1)}
    if bad:
        raise ConfigError(f"{source}: thresholds must be numbers in [0, 1]; got {bad}")


def _described(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {one_line(exc)}"[:300]


class EventClassifier:
    """Multi-label event tagger. Paragraphs longer than the model's window are split into overlapping windows
    and each type takes its highest probability over the windows, so an event late in a long paragraph counts.

    Load one with `from_pretrained`; the constructor is for code that already holds a model and tokenizer (the
    trainer).

    Example:
        >>> clf = EventClassifier.from_pretrained("runs/default")  # doctest: +SKIP
        >>> clf.predict(["Insurgents seized the airbase after a car bomb."])[0].labels  # doctest: +SKIP
        ('takeover', 'bombing')
    """

    def __init__(self, model: EventModel, tokenizer, thresholds: Mapping[str, float], text_prefix: str = "",
                 max_length: int = TrainingConfig.max_length, device: str | None = None,
                 lexical: LexicalModel | None = None):
        """Wrap a model already in memory; `from_pretrained` is the way to load a trained folder.

        Args:
            model: the encoder with its classification head; its `labels` name the types.
            tokenizer: the tokenizer the model was trained with.
            thresholds: per-type decision thresholds; a type left out gets 0.5.
            text_prefix: put before every text, as in training (E5 models need "query: ").
            max_length: tokens per window; longer paragraphs are read in overlapping windows.
            device: "auto" or None (CUDA when present, else CPU), "cpu", "cuda" or "cuda:N".
            lexical: a TF-IDF model blended into the encoder's scores (`eventclf.lexical`), or None.
        """
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.text_prefix = text_prefix
        self.max_length = max_length
        self.thresholds = {name: float(thresholds.get(name, 0.5)) for name in model.labels}
        self.lexical = lexical

    @property
    def labels(self) -> tuple[str, ...]:
        """The event types, in the column order of `predict_proba`."""
        return self.model.labels

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str | None = None,
                        quantize: str | None = None) -> EventClassifier:
        """Load a model folder written by `eventclf train`.

        Args:
            path: the model folder (`config.json` with `id2label`, `model.safetensors`, the tokenizer, `eventclf.json`).
            device: "auto" or None (CUDA when present, else CPU), "cpu", "cuda" or "cuda:N".
            quantize: run on CPU through an int8 export of the model, made into the folder on first use (see
                `eventclf.quantize`): "int8" (ONNX Runtime, dynamic) or "openvino-int8" (OpenVINO, calibrated once).
                Last measured on 2 CPU cores (docs/results.md, Speed), against a plain Hugging Face loop on batches:
                "int8" 4.1x and "openvino-int8" 8.0x, at +0.001 and -0.001 macro-F1; one paragraph per call both
                take 15-17 ms at the median.

        Returns:
            The classifier, with the thresholds tuned at training time.

        Raises:
            ModelFolderError: the folder is missing, incomplete or damaged (the message names it).
            MissingDependencyError: `quantize` without its extra (`int8` or `openvino`).

        Example:
            >>> clf = EventClassifier.from_pretrained("runs/default", quantize="int8")  # doctest: +SKIP
        """
        path = Path(path)
        read_settings(path)  # a folder without its settings is incomplete: say so before loading anything
        if not any((path / name).is_file() for name in _TOKENIZER_FILES):
            # transformers would build an empty-vocabulary tokenizer and every word would read as [UNK]
            raise ModelFolderError(f"{path}: cannot load the model (no {' or '.join(_TOKENIZER_FILES)})")
        try:
            if quantize is None:
                model = EventModel.from_folder(path)
            else:
                from .quantize import check_quantize, load_quantized

                check_quantize(quantize, device)
                model, device = load_quantized(path, quantize), "cpu"
            return cls.from_engine(model, path, device)
        except EventclfError:
            raise
        except Exception as exc:  # transformers, safetensors, torch and tokenizers each raise their own types
            raise ModelFolderError(f"{path}: cannot load the model ({_described(exc)})") from exc

    @classmethod
    def from_engine(cls, engine, path: str | Path, device: str | None = "cpu") -> EventClassifier:
        """A classifier running `engine` with the tokenizer, thresholds and window settings of model folder `path`.

        Args:
            engine: what computes the logits: an `EventModel`, or any callable taking `input_ids` and
                `attention_mask` and returning `{"logits": ...}` with a `labels` attribute (e.g. an exported model).
            path: the model folder the engine was made from.
            device: where `engine` runs.

        Returns:
            The classifier.

        Example:
            >>> clf = EventClassifier.from_engine(EventModel.from_folder("runs/default"), "runs/default")  # doctest: +SKIP
        """
        settings = read_settings(Path(path))
        return cls(engine, AutoTokenizer.from_pretrained(path), settings["thresholds"], settings.get("text_prefix", ""),
                   settings.get("max_length", TrainingConfig.max_length), device,
                   LexicalModel.load(path, engine.labels))

    def save_settings(self, path: str | Path) -> None:
        """Write thresholds, text prefix and window length to `path/eventclf.json`, the file that marks a model
        folder as complete (written last), after the lexical model's files when it has one."""
        if self.lexical is not None:
            self.lexical.save(path)
        settings = {"thresholds": self.thresholds, "text_prefix": self.text_prefix, "max_length": self.max_length}
        (Path(path) / SETTINGS_NAME).write_text(json.dumps(settings, indent=2), encoding="utf-8")

    def predict_proba(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Probability of every type for every text.

        Args:
            texts: paragraphs (a list of str; blank ones score 0 everywhere).
            batch_size: windows per forward pass.

        Returns:
            Array of shape (len(texts), len(self.labels)), columns in `self.labels` order.

        Example:
            >>> clf.predict_proba(["A car bomb exploded near the market."]).shape  # doctest: +SKIP
            (1, 5)
        """
        return self._proba(check_texts(texts), batch_size)

    def _proba(self, texts: list[str], batch_size: int) -> np.ndarray:
        """`predict_proba` of texts `check_texts` has already passed."""
        probs = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        live = [i for i, t in enumerate(texts) if _has_words(t)]
        if not live:
            return probs
        windows, owners = encode_windows(self.tokenizer, [texts[i] for i in live], self.text_prefix, self.max_length)
        window_probs = self._run(windows, batch_size)
        for w, owner in enumerate(owners):
            row = live[owner]
            probs[row] = np.maximum(probs[row], window_probs[w])
        if self.lexical is not None:
            probs[live] = self.lexical.blend(probs[live], [texts[i] for i in live])
        return probs

    def _run(self, windows: list[list[int]], batch_size: int) -> np.ndarray:
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))  # similar lengths share a batch
        out = np.empty((len(windows), len(self.labels)), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                batch = self.tokenizer.pad({"input_ids": [windows[i] for i in idx]}, return_tensors="pt")
                batch = {k: v.to(self.device) for k, v in batch.items()}
                logits = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])["logits"]
                out[idx] = torch.sigmoid(logits.float()).cpu().numpy()
        return out

    def predict(self, texts: Sequence[str], threshold: float | Mapping[str, float] | None = None,
                top_k: int | None = None, batch_size: int = 32, evidence: bool = False,
                lang: str | Sequence[str] = "en") -> list[Prediction]:
        """Tag each text with the types whose probability reaches their threshold.

        Args:
            texts: paragraphs (a list of str).
            threshold: None = the tuned thresholds; a number in [0, 1] for every type; or a mapping of some types
                to thresholds (the others keep theirs).
            top_k: keep at most this many of the types above threshold, highest first.
            batch_size: windows per forward pass.
            evidence: also find, for each label, the sentence (or two adjacent sentences) that carries it; this
                scores every sentence of a tagged text again, so it costs more (see `eventclf.evidence`).
            lang: language code of the texts (one, or one per text) for the sentence splitter's abbreviations.

        Returns:
            One `Prediction` per text: `labels` (highest score first; () = no event), `scores` of every type, and
            with `evidence=True` an `Evidence` (offsets into the text, the span, its score) for each label.

        Raises:
            TextTypeError: `texts` is a single string or holds something other than str.
            ConfigError: a threshold outside [0, 1] or for an unknown type.

        Example:
            >>> clf.predict(["The council issued a fatwa."], threshold={"fatwa": 0.6})[0].labels  # doctest: +SKIP
            ('fatwa',)
        """
        cut = self.thresholds_for(threshold)
        texts = check_texts(texts)
        results = []
        for row in self._proba(texts, batch_size):
            scores = {name: float(p) for name, p in zip(self.labels, row)}
            # a score of exactly 0 is a text without words: no event, even at threshold 0
            above = sorted((n for n in self.labels if scores[n] >= cut[n] and scores[n] > 0), key=scores.get,
                           reverse=True)
            results.append(Prediction(tuple(above[:top_k] if top_k else above), scores))
        if evidence:
            langs = [lang] * len(texts) if isinstance(lang, str) else list(lang)
            if len(langs) != len(texts):
                raise ConfigError(f"lang gives {len(langs)} languages for {len(texts)} texts")
            found = find_evidence(self, texts, [p.labels for p in results], langs, cut, batch_size)
            results = [Prediction(p.labels, p.scores, spans) for p, spans in zip(results, found)]
        return results

    def tag_document(self, text: str, fmt: str = "text", lang: str = "en", context: bool = True,
                     batch_size: int = 32, threshold: float | Mapping[str, float] | None = None
                     ) -> TaggedDocument:
        """Tag a whole page block by block, each block read with its headline; see `eventclf.documents`.

        Args:
            text: the page, as plain text, Markdown or HTML.
            fmt: "text", "markdown" or "html" (HTML needs the `html` extra; its main text is tagged).
            lang: language code for the sentence splitter.
            context: False tags each block alone.
            batch_size: windows per forward pass.
            threshold: as in `predict`.

        Returns:
            A `TaggedDocument`: `blocks` (kind, offsets, labels, scores, evidence) and `events` in order.

        Example:
            >>> doc = clf.tag_document("Council issues fatwa\\nThe ruling was read out on Friday.")  # doctest: +SKIP
            >>> [(b.kind, b.labels) for b in doc.blocks]  # doctest: +SKIP
            [('headline', ('fatwa',)), ('paragraph', ('fatwa',))]
        """
        from .documents import tag_document

        return tag_document(self, text, fmt, lang, context, batch_size, threshold)

    def thresholds_for(self, threshold: float | Mapping[str, float] | None) -> dict[str, float]:
        """The per-type thresholds a `threshold` override means (what `predict` and `eventclf evaluate` apply).

        Args:
            threshold: None = the tuned ones; a number in [0, 1] = that for every type; a mapping = those types
                changed and the others tuned.

        Returns:
            A threshold for every type. Raises `ConfigError` for an unknown type or a value outside [0, 1].

        Example:
            >>> clf.thresholds_for({"bombing": 0.3})["bombing"]  # doctest: +SKIP
            0.3
        """
        if threshold is None:
            return self.thresholds
        if isinstance(threshold, Mapping):
            unknown = set(threshold) - set(self.labels)
            if unknown:
                raise ConfigError(f"threshold for unknown type(s) {sorted(unknown)}; types: {list(self.labels)}")
            chosen = {**self.thresholds, **{k: float(v) for k, v in threshold.items()}}
        else:
            chosen = dict.fromkeys(self.labels, float(threshold))
        _check_thresholds(chosen, "threshold")
        return chosen


def predict_dataset(dataset: datasets.Dataset, model_path: str | Path, text_column: str = "text",
                    num_proc: int | None = None, batch_size: int = 32, quantize: str | None = None,
                    chunk_size: int = 512) -> datasets.Dataset:
    """Tag a `datasets.Dataset` with `datasets.map` in `num_proc` worker processes (CPU), each loading its own
    `EventClassifier`. See docs/scaling.md.

    Args:
        dataset: the rows to tag.
        model_path: a model folder written by `eventclf train`.
        text_column: the column holding the paragraphs.
        num_proc: worker processes (None = this one); the cores are shared among them.
        batch_size: windows per forward pass; chunk_size: rows handed to a worker at a time.
        quantize: "int8" or "openvino-int8" to run every worker on that CPU export (made once, before the workers
            start; see `EventClassifier.from_pretrained`).

    Returns:
        The dataset with `pred_labels` (types above the tuned thresholds, as `predict` gives) and `pred_scores`
        (probability of every type) added; existing columns, gold `labels` included, are kept.

    Example:
        >>> tagged = predict_dataset(Dataset.from_dict({"text": ["A car bomb exploded."]}), "runs/default")  # doctest: +SKIP
        >>> tagged[0]["pred_labels"]  # doctest: +SKIP
        ['bombing']
    """
    if text_column not in dataset.column_names:
        raise DataError(f"dataset has no column {text_column!r} (columns: {dataset.column_names}); "
                        f"pass text_column=")
    if quantize is not None:
        from .quantize import check_quantize, ensure_export

        check_quantize(quantize, "cpu")
        ensure_export(model_path, quantize)  # export once here rather than in every worker at the same time
    # workers share the cores instead of each starting one thread per core
    threads = max(1, (os.cpu_count() or 1) // num_proc) if num_proc and num_proc > 1 else None
    # a cached result would survive a retrained model at the same path, so always recompute
    return dataset.map(_tag_batch, batched=True, batch_size=chunk_size, num_proc=num_proc, load_from_cache_file=False,
                       fn_kwargs={"model_path": str(model_path), "text_column": text_column,
                                  "batch_size": batch_size, "quantize": quantize, "threads": threads})


@lru_cache(maxsize=2)
def _worker_classifier(model_path: str, quantize: str | None, threads: int | None) -> EventClassifier:
    if threads:
        torch.set_num_threads(threads)
    return EventClassifier.from_pretrained(model_path, device="cpu", quantize=quantize)


def _tag_batch(batch: dict[str, list], model_path: str, text_column: str, batch_size: int, quantize: str | None,
               threads: int | None) -> dict[str, list]:
    preds = _worker_classifier(model_path, quantize, threads).predict(batch[text_column], batch_size=batch_size)
    return {"pred_labels": [list(p.labels) for p in preds], "pred_scores": [p.scores for p in preds]}
