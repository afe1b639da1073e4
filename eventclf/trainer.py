"""Fine-tune an encoder on labelled snippets and write a model folder that `EventClassifier` loads.

Built on the Hugging Face `Trainer`, so one GPU, several (`torchrun`, `accelerate launch`) or a plain CPU all run
the same code.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
from datasets import Dataset
from transformers import AutoTokenizer, EarlyStoppingCallback, Trainer, TrainingArguments, set_seed
from transformers.trainer_utils import get_last_checkpoint

from .atomic import atomic_path
from .augment import augment
from .base_models import resolve_base_model
from .config import TrainingConfig
from .data import FEED_NO_EVENT_SHARE, Example, load_splits, load_stream
from .errors import ConfigError
from .frozen_cache import LowerLayerCache, UpperLayers
from .inference import EventClassifier, resolve_device
from .labels import LabelSet, load_label_set
from .lexical import LexicalModel
from .metrics import binarize, evaluate, feed_weights, scores, tune_thresholds
from .modelcard import write_model_card
from .modeling import EventModel, flat_windows
from .windows import encode_windows, windows_per_text


class _EventTrainer(Trainer):
    """The stock Trainer, with a faster learning rate for the freshly initialised head."""

    def __init__(self, *args, head_learning_rate: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.head_learning_rate = head_learning_rate

    def create_optimizer(self, model=None) -> torch.optim.Optimizer:
        # the optimiser class and its settings (optim, betas, eps) come from the arguments, as in the stock Trainer;
        # only the parameter groups differ
        if self.optimizer is None:
            model = self.model if model is None else model
            optimizer_cls, kwargs = self.get_optimizer_cls_and_kwargs(self.args, model)
            self.optimizer = optimizer_cls(self._parameter_groups(model), **kwargs)
        return self.optimizer

    def _parameter_groups(self, model) -> list[dict[str, Any]]:
        decay = set(self.get_decay_parameter_names(model))
        groups = []
        for is_head in (False, True):
            for decayed in (True, False):
                params = [p for n, p in model.named_parameters()
                          if p.requires_grad and n.startswith("head.") == is_head and (n in decay) == decayed]
                if params:
                    groups.append({"params": params, "weight_decay": self.args.weight_decay if decayed else 0.0,
                                   "lr": self.head_learning_rate if is_head else self.args.learning_rate})
        return groups


def _dataset(examples: Sequence[Example], tokenizer, config: TrainingConfig, labels: Sequence[str]) -> Dataset:
    """One row per paragraph holding all its windows, so training sees the whole paragraph as inference does."""
    texts = [ex.text for ex in examples]
    windows = windows_per_text(*encode_windows(tokenizer, texts, config.text_prefix, config.max_length), len(texts))
    y = binarize([ex.labels for ex in examples], labels).astype(np.float32)
    return Dataset.from_dict({"windows": windows, "labels": y.tolist(),
                              "length": [sum(map(len, w)) for w in windows]})


def _collator(tokenizer) -> Callable[[list[dict]], dict[str, torch.Tensor]]:
    def collate(features: list[dict]) -> dict[str, torch.Tensor]:
        windows, per_paragraph = flat_windows(features)
        return {**tokenizer.pad({"input_ids": windows}, return_tensors="pt"), **per_paragraph}
    return collate


def _pos_weight(examples: Sequence[Example], labels: Sequence[str], cap: float) -> torch.Tensor:
    """Up-weight each type's positives by neg/pos (capped), so rare types are not drowned by "no event"."""
    y = binarize([ex.labels for ex in examples], labels)
    pos = y.sum(0).clip(min=1)
    return torch.tensor(np.minimum((len(y) - pos) / pos, cap), dtype=torch.float32)


def _training_args(config: TrainingConfig, checkpoint_dir: Path, device: torch.device) -> TrainingArguments:
    cuda = device.type == "cuda"
    return TrainingArguments(
        output_dir=str(checkpoint_dir),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size * 2,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        warmup_steps=config.warmup_ratio,  # a float below 1 is read as a fraction of all steps
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=2,
        load_best_model_at_end=True,
        metric_for_best_model="macro_f1",
        greater_is_better=True,
        train_sampling_strategy="group_by_length",  # similar lengths share a batch: far less padding on CPU
        logging_steps=config.logging_steps,
        seed=config.seed,
        use_cpu=not cuda,
        bf16=cuda and torch.cuda.is_bf16_supported(),
        fp16=cuda and not torch.cuda.is_bf16_supported(),
        label_names=["labels"],
        remove_unused_columns=False,
        report_to="none",
        disable_tqdm=False,  # shown even when transformers logging is quietened to errors
        save_only_model=False,
    )


def _check_max_length(config: TrainingConfig, model: EventModel) -> None:
    limit = model.max_tokens()
    if limit is not None and config.max_length > limit:
        raise ConfigError(f"field `max_length` = {config.max_length}: must be at most {limit}, the positions of "
                          f"{config.base_model}")


def _freeze_word_embeddings(config: TrainingConfig, device: torch.device) -> bool:
    return config.freeze_word_embeddings == "always" or (config.freeze_word_embeddings == "auto" and device.type == "cpu")


def _trainable(model: EventModel, config: TrainingConfig, device: torch.device, tokenizer, train_set: Dataset,
               eval_set: Dataset, log: Callable[[str], None]) -> tuple[torch.nn.Module, Dataset, Dataset, Callable]:
    """What the Trainer runs: the whole model on token ids, or, with frozen layers cached, the layers above them
    on the cached states (the same weights, so either way `model` is what gets trained)."""
    if not (config.freeze_layers and config.cache_frozen_layers):
        return model, train_set, eval_set, _collator(tokenizer)
    started = time.perf_counter()
    cache = LowerLayerCache(model.to(device), config.freeze_layers, tokenizer.pad_token_id)
    train_set, eval_set = cache.add(train_set), cache.add(eval_set)
    log(f"frozen layers run once for {len(cache)} windows in {time.perf_counter() - started:.0f} s")
    return UpperLayers(model, config.freeze_layers), train_set, eval_set, cache.collate


def train(config: TrainingConfig, log: Callable[[str], None] = print) -> Path:
    """Run one training job end to end: read and check the data, fine-tune, tune thresholds, score, and write the
    model folder (swapped in whole at the end, so an interrupted run never leaves half a model).

    Args:
        config: the run's settings (`TrainingConfig.from_yaml` reads a config file).
        log: where progress lines go.

    Returns:
        The model folder (`config.output_dir`), ready for `EventClassifier.from_pretrained`.

    Raises:
        DataError: bad rows, listed together with file, line and field. ConfigError: a setting that cannot work.

    Example:
        >>> folder = train(TrainingConfig.from_yaml("configs/default.yaml", {"epochs": 1}))  # doctest: +SKIP
    """
    started = time.perf_counter()
    set_seed(config.seed)
    label_set: LabelSet = load_label_set(config.label_file or None)
    labels = label_set.names
    splits = load_splits(config, labels)
    log("data: " + ", ".join(f"{k} {len(v)}" for k, v in splits.items()) + f"; types: {', '.join(labels)}")

    base, route = resolve_base_model(config.base_model)
    log(f"base model: {route}")
    device = resolve_device(config.device)
    tokenizer = AutoTokenizer.from_pretrained(base)
    train_rows = splits["train"] + augment(splits["train"], config.augment_fraction, config.seed, labels)
    if len(train_rows) > len(splits["train"]):
        log(f"augmented: {len(train_rows) - len(splits['train'])} synthetic training rows (splices and joins)")
    model = EventModel.from_base(base, labels, config.dropout, _pos_weight(train_rows, labels, config.pos_weight_cap),
                                 config.encoder_dropout)
    if _freeze_word_embeddings(config, device):
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    model.freeze_lower_layers(config.freeze_layers)
    _check_max_length(config, model)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"device: {device}; trainable parameters: {trainable / 1e6:.1f}M")

    output_dir = Path(config.output_dir)
    checkpoint_dir = output_dir.with_name(output_dir.name + "-checkpoints")

    def compute_metrics(pred) -> dict[str, float]:
        probs = 1 / (1 + np.exp(-pred.predictions))
        return {"macro_f1": scores(pred.label_ids.astype(int), (probs >= 0.5).astype(int), labels)["macro_f1"]}

    trained, train_set, eval_set, collate = _trainable(
        model, config, device, tokenizer, _dataset(train_rows, tokenizer, config, labels),
        _dataset(splits["validation"], tokenizer, config, labels), log)
    trainer = _EventTrainer(
        model=trained,
        args=_training_args(config, checkpoint_dir, device),
        train_dataset=train_set,
        eval_dataset=eval_set,
        data_collator=collate,
        compute_metrics=compute_metrics,
        callbacks=[EarlyStoppingCallback(config.early_stopping_patience)],
        head_learning_rate=config.head_learning_rate,
    )
    resume = get_last_checkpoint(str(checkpoint_dir)) if config.resume and checkpoint_dir.is_dir() else None
    if resume:
        log(f"resuming from {resume}")
    trainer.train(resume_from_checkpoint=resume)
    if trainer.is_world_process_zero():  # under torchrun, one process scores and writes the folder
        clf = EventClassifier(model, tokenizer, {}, config.text_prefix, config.max_length, str(device),
                              _lexical(splits, labels, config, log))
        train_seconds = time.perf_counter() - started  # the lexical model's fit is part of training
        metrics = _score(clf, splits, labels, config)
        metrics.update(train_seconds=round(train_seconds, 1), base_model_route=route, device=str(device),
                       epochs_run=round(trainer.state.epoch or 0, 2), trainable_parameters=trainable)
        with atomic_path(output_dir, folder=True) as partial:
            _save(partial, clf, label_set, config, metrics, splits)
        if not config.keep_checkpoints:
            shutil.rmtree(checkpoint_dir, ignore_errors=True)
        log(f"model written to {output_dir}; trained in {train_seconds / 60:.1f} min")
    trainer.accelerator.wait_for_everyone()  # the other processes return only once the folder is complete
    return output_dir


def tune_thresholds_for(model_dir: str | Path, no_event_share: float | None = None,
                        lexical_weight: float | None = None, log: Callable[[str], None] = print) -> Path:
    """Re-tune a trained model's thresholds, for another no-event share or lexical blend, without training again.

    Thresholds and the lexical model (`eventclf.lexical`) are fitted after the encoder, so the folder gets exactly
    what training with these settings would have written: thresholds, lexical model, scores, config and model card.
    The folder is rewritten whole and swapped in, as training writes it; an int8 export in it is made again on next
    use.

    Args:
        model_dir: a folder written by `train`; its `training_config.yaml` says where the splits are.
        no_event_share: validation's no-event rows are weighted to make this share of it (0 = as it is; 0.8 for a
            news feed that is mostly no event); None keeps the folder's setting.
        lexical_weight: weight of a TF-IDF model of the training split blended into the scores (0 = none); None
            keeps the folder's setting (and refits its lexical model, if it has one).
        log: where progress lines go.

    Returns:
        The model folder.

    Example:
        >>> tune_thresholds_for("runs/default", no_event_share=0.8, lexical_weight=0.4)  # doctest: +SKIP
    """
    folder = Path(model_dir)
    overrides = {k: v for k, v in (("threshold_no_event_share", no_event_share), ("lexical_weight", lexical_weight))
                 if v is not None}
    config = TrainingConfig.from_yaml(folder / "training_config.yaml", overrides)
    label_set = load_label_set(folder / "labels.json")  # the types the model was trained on (JSON is YAML)
    splits = load_splits(config, label_set.names)
    clf = EventClassifier.from_pretrained(folder, device=config.device)
    clf.lexical = _lexical(splits, label_set.names, config, log)
    metrics = {**json.loads((folder / "metrics.json").read_text(encoding="utf-8")),
               **_score(clf, splits, label_set.names, config)}
    with atomic_path(folder, folder=True) as partial:
        _save(partial, clf, label_set, config, metrics, splits)
    log(f"thresholds of {folder} tuned for a no-event share of {config.threshold_no_event_share} and a lexical "
        f"weight of {config.lexical_weight}: {clf.thresholds}")
    return folder


def _lexical(splits: dict[str, list[Example]], labels: Sequence[str], config: TrainingConfig,
             log: Callable[[str], None]) -> LexicalModel | None:
    """The TF-IDF model to blend in at `config.lexical_weight`, fitted on the training split; None at weight 0."""
    if not config.lexical_weight:
        return None

    def texts_and_truth(split: str) -> tuple[list[str], np.ndarray]:
        return [ex.text for ex in splits[split]], binarize([ex.labels for ex in splits[split]], labels)

    lexical = LexicalModel.fit(*texts_and_truth("train"), *texts_and_truth("validation"), labels,
                               config.lexical_weight)
    log(f"lexical model: {lexical.details['features']} features, C {lexical.details['C']}, "
        f"fitted in {lexical.details['fit_seconds']} s; blended at weight {config.lexical_weight}")
    return lexical


def _score(clf: EventClassifier, splits: dict[str, list[Example]], labels: Sequence[str],
           config: TrainingConfig) -> dict[str, Any]:
    """Tune thresholds on validation, then score the untouched test split (and the feed-like stream drawn from it,
    when the data folder has one) with and without them."""
    def probs_and_truth(examples: Sequence[Example]):
        return clf.predict_proba([ex.text for ex in examples]), binarize([ex.labels for ex in examples], labels)

    val_probs, val_true = probs_and_truth(splits["validation"])
    clf.thresholds = tune_thresholds(val_true, val_probs, labels,
                                     feed_weights(val_true, config.threshold_no_event_share))
    result: dict[str, Any] = {"thresholds": clf.thresholds,
                              "validation": evaluate(val_true, val_probs, clf.thresholds, labels)}
    if splits["test"]:
        test_probs, test_true = probs_and_truth(splits["test"])
        langs = [ex.lang for ex in splits["test"]]
        result["test"] = evaluate(test_true, test_probs, clf.thresholds, labels, langs)
        result["test_at_0.5"] = evaluate(test_true, test_probs, dict.fromkeys(labels, 0.5), labels)
    stream = load_stream(config, labels)
    if stream:
        stream_probs, stream_true = probs_and_truth(stream)
        result["stream"] = evaluate(stream_true, stream_probs, clf.thresholds, labels, [ex.lang for ex in stream])
        # the evidence for choosing threshold_no_event_share: each rule's thresholds scored on the feed-like stream
        rules = {"validation": 0.0, "feed": FEED_NO_EVENT_SHARE}
        tuned = {rule: tune_thresholds(val_true, val_probs, labels, feed_weights(val_true, share))
                 for rule, share in rules.items()}
        result["threshold_rules"] = {rule: {"thresholds": t, "stream": evaluate(stream_true, stream_probs, t, labels)}
                                     for rule, t in tuned.items()}
    result["counts"] = {split: len(examples) for split, examples in splits.items()}
    return result


def _save(folder: Path, clf: EventClassifier, label_set: LabelSet, config: TrainingConfig, metrics: dict,
          splits: dict[str, list[Example]]) -> None:
    clf.model.save(folder)
    clf.tokenizer.save_pretrained(folder)
    (folder / "labels.json").write_text(json.dumps(label_set.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    config.to_yaml(folder / "training_config.yaml")
    write_model_card(folder, label_set, config, metrics, splits)
    clf.save_settings(folder)  # last: marks the folder complete
