"""Run the frozen lower layers once per window, not at every training step.

With `freeze_layers: n` the embeddings and the lowest n layers never change during training, so what they make of
a window is the same in every epoch. Computing it once and training only the layers above it lets each step skip
those layers' forward pass as well as their backward pass. The price: the frozen layers run without dropout.
"""
from __future__ import annotations

import copy
import itertools
from typing import Sequence

import torch
from datasets import Dataset
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from transformers import AutoModel

from .embeddings import mean_pool
from .errors import ConfigError
from .modeling import EventModel, encoder_layers, encoder_layers_path, flat_windows, paragraph_output


class _Given(nn.Module):
    """Stands in for the embeddings of the upper view: the cached states arrive as `inputs_embeds` and pass on."""

    def forward(self, inputs_embeds: torch.Tensor | None = None, **_) -> torch.Tensor | None:
        return inputs_embeds


def _view(encoder: nn.Module, layers: nn.ModuleList, embeddings: nn.Module) -> nn.Module:
    """A model of the encoder's own class (so its own masking and forward) running only `layers` after
    `embeddings`; both are shared with `encoder`, not copied, so training the view trains the encoder."""
    if not isinstance(getattr(encoder, "embeddings", None), nn.Module):
        raise ConfigError(f"cannot cache the frozen layers of {type(encoder).__name__} (no `embeddings` module): "
                          "set cache_frozen_layers: false")
    config = copy.deepcopy(encoder.config)
    config.num_hidden_layers = len(layers)
    with torch.device("meta"):  # the view's own weights are replaced below, so none are allocated
        view = AutoModel.from_config(config)
    view.embeddings = embeddings
    if getattr(view, "pooler", None) is not None:
        view.pooler = None
    parent, _, name = encoder_layers_path(encoder).rpartition(".")
    setattr(view.get_submodule(parent), name, layers)
    if any(t.is_meta for t in itertools.chain(view.parameters(), view.buffers())):
        raise ConfigError(f"cannot cache the frozen layers of {type(encoder).__name__}: set cache_frozen_layers: false")
    return view


class UpperLayers(nn.Module):
    """What training updates when the frozen layers are cached: the layers above them, the dropout and the head,
    all shared with the `EventModel`, so training this trains that model.

    `forward` takes the cached states where `EventModel.forward` takes token ids, and returns the same.
    """

    def __init__(self, model: EventModel, frozen: int):
        super().__init__()
        self.config = model.config
        self.upper = _view(model.encoder, encoder_layers(model.encoder)[frozen:], _Given())
        self.dropout = model.dropout
        self.head = model.head  # named `head` like the model's, so the trainer gives it the head's learning rate
        self.register_buffer("pos_weight", model.pos_weight, persistent=False)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor | None = None,
                owners: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        states = self.upper(inputs_embeds=hidden, attention_mask=attention_mask).last_hidden_state
        return paragraph_output(self.head(self.dropout(mean_pool(states, attention_mask))), labels, owners,
                                self.pos_weight)


class LowerLayerCache:
    """The frozen lower layers' output for every window of the datasets added, kept in memory (about 1.5 KB per
    token for a 384-wide encoder), with the collator that batches it for `UpperLayers`.

    Example:
        >>> cache = LowerLayerCache(model, frozen=6, pad_id=tokenizer.pad_token_id)  # doctest: +SKIP
        >>> train_set = cache.add(train_set)  # doctest: +SKIP
    """

    def __init__(self, model: EventModel, frozen: int, pad_id: int, batch_size: int = 32):
        layers = encoder_layers(model.encoder)
        self.lower = _view(model.encoder, layers[:frozen], model.encoder.embeddings)
        self.pad_id = pad_id
        self.batch_size = batch_size
        self.states: list[torch.Tensor] = []

    def __len__(self) -> int:
        return len(self.states)

    def add(self, dataset: Dataset) -> Dataset:
        """Compute the states of every window in `dataset` (rows of `windows`: token id lists) and return it with
        each window replaced by its index in the cache."""
        rows = dataset["windows"]
        start = len(self.states)
        self.states.extend(self._compute([w for row in rows for w in row]))
        counts = itertools.accumulate((len(row) for row in rows), initial=start)
        indices = [list(range(a, b)) for a, b in itertools.pairwise(counts)]
        return dataset.remove_columns("windows").add_column("windows", indices)

    @torch.no_grad()  # not inference_mode: the states become inputs of layers that are trained
    def _compute(self, windows: Sequence[list[int]]) -> list[torch.Tensor]:
        self.lower.eval()
        device = next(self.lower.parameters()).device
        out: list[torch.Tensor] = [torch.empty(0)] * len(windows)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))  # little padding per batch
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            ids = pad_sequence([torch.tensor(windows[i]) for i in batch], batch_first=True, padding_value=self.pad_id)
            mask = _mask([len(windows[i]) for i in batch])
            hidden = self.lower(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state.float()
            for row, i in enumerate(batch):
                out[i] = hidden[row, : len(windows[i])].cpu().clone()
        return out

    def collate(self, features: list[dict]) -> dict[str, torch.Tensor]:
        """A batch for `UpperLayers`: every window of the paragraphs given, padded, with each window's paragraph."""
        windows, per_paragraph = flat_windows(features)
        states = [self.states[w] for w in windows]
        return {"hidden": pad_sequence(states, batch_first=True), "attention_mask": _mask([len(s) for s in states]),
                **per_paragraph}


def _mask(lengths: Sequence[int]) -> torch.Tensor:
    """Right-padded attention mask: 1 for the first `length` positions of each row."""
    return (torch.arange(max(lengths)).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)).long()
