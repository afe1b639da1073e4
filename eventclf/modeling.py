"""The network: any Hugging Face encoder, mean pooling, and one sigmoid output per event type."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoConfig, AutoModel, PretrainedConfig

from .embeddings import mean_pool
from .errors import ConfigError

WEIGHTS_NAME = "model.safetensors"
_OFFSET_POSITIONS = {"roberta", "xlm-roberta", "camembert", "xlm-roberta-xl"}
# the dropout rates inside an encoder, by the names its config gives them (BERT and XLM-R use the first two)
_DROPOUT_FIELDS = ("hidden_dropout_prob", "attention_probs_dropout_prob", "dropout", "attention_dropout",
                   "activation_dropout")


class EventModel(nn.Module):
    """Encoder + masked mean pooling + linear head; `forward` returns the multi-label BCE loss when given labels.

    Mean pooling rather than a [CLS] pooler: E5 was trained with mean pooling and ships no pooler weights.
    """

    def __init__(self, encoder: nn.Module, dropout: float = 0.1, pos_weight: torch.Tensor | None = None):
        super().__init__()
        if getattr(encoder, "pooler", None) is not None:
            encoder.pooler = None  # unused by mean pooling; keeping it would save untrained weights
        self.encoder = encoder
        self.config: PretrainedConfig = encoder.config
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.config.hidden_size, self.config.num_labels)
        self.register_buffer("pos_weight", pos_weight, persistent=False)

    @property
    def labels(self) -> tuple[str, ...]:
        return config_labels(self.config)

    def pool(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return mean_pool(hidden, attention_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor | None = None,
                owners: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Logits per window, or per paragraph when `owners` (each window's paragraph index in the batch) is given:
        then each type takes its highest window logit, the same maximum inference takes, and `labels` are per
        paragraph (multiple-instance learning: a paragraph's label only says that *some* window carries it)."""
        return paragraph_output(self.head(self.dropout(self.pool(input_ids, attention_mask))), labels, owners,
                                self.pos_weight)

    @classmethod
    def from_base(cls, base: str, labels: Sequence[str], dropout: float = 0.1,
                  pos_weight: torch.Tensor | None = None, encoder_dropout: float | None = None) -> "EventModel":
        """A fresh model on a pretrained encoder; `encoder_dropout` replaces the encoder's own (None keeps it)."""
        config = AutoConfig.from_pretrained(base)
        _set_labels(config, labels)
        if encoder_dropout is not None:
            _set_encoder_dropout(config, encoder_dropout)
        return cls(AutoModel.from_pretrained(base, config=config), dropout, pos_weight)

    @classmethod
    def from_folder(cls, folder: str | Path) -> "EventModel":
        config = AutoConfig.from_pretrained(folder)
        model = cls(AutoModel.from_config(config))
        model.load_state_dict(load_file(str(Path(folder) / WEIGHTS_NAME)))
        return model.eval()

    def freeze_lower_layers(self, n: int) -> None:
        """Stop training the embeddings and the lowest `n` encoder layers (n = 0: nothing changes).

        Gradients then stop at layer `n`, so the backward pass skips the frozen layers: steps get cheaper, and the
        lower layers keep the multilingual representations the encoder was pretrained with.
        """
        if n <= 0:
            return
        layers = encoder_layers(self.encoder)
        if n > len(layers):
            raise ConfigError(f"field `freeze_layers` = {n}: the encoder has only {len(layers)} layers")
        for module in (self.encoder.get_input_embeddings(), getattr(self.encoder, "embeddings", None), *layers[:n]):
            if module is not None:
                module.requires_grad_(False)

    def max_tokens(self) -> int | None:
        """The longest window the encoder's position table takes (None if it has none, e.g. rotary positions)."""
        positions = getattr(self.config, "max_position_embeddings", None)
        if positions is None:
            return None
        # RoBERTa-family encoders number positions from pad_token_id + 1, so that many slots are never used
        offset = self.config.pad_token_id + 1 if self.config.model_type in _OFFSET_POSITIONS else 0
        return positions - offset

    def save(self, folder: str | Path) -> None:
        self.config.save_pretrained(folder)
        state = {k: v.detach().contiguous().cpu() for k, v in self.state_dict().items()}
        save_file(state, str(Path(folder) / WEIGHTS_NAME), metadata={"format": "pt"})


def paragraph_output(logits: torch.Tensor, labels: torch.Tensor | None, owners: torch.Tensor | None,
                     pos_weight: torch.Tensor | None) -> dict[str, torch.Tensor]:
    """`forward`'s result from the head's window logits: per paragraph when `owners` is given, with the loss when
    `labels` are."""
    if owners is not None:
        logits = max_over_windows(logits, owners)
    out = {"logits": logits}
    if labels is not None:
        out["loss"] = nn.functional.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype),
                                                                     pos_weight=pos_weight)
    return out


def flat_windows(features: list[dict]) -> tuple[list, dict[str, torch.Tensor]]:
    """A training batch's windows in one list, and what `paragraph_output` needs to score them per paragraph:
    `owners` (each window's paragraph) and the paragraphs' `labels`."""
    flat = [(i, w) for i, f in enumerate(features) for w in f["windows"]]
    return [w for _, w in flat], {"owners": torch.tensor([i for i, _ in flat]),
                                  "labels": torch.tensor([f["labels"] for f in features], dtype=torch.float32)}


def max_over_windows(logits: torch.Tensor, owners: torch.Tensor) -> torch.Tensor:
    """Per owner, the element-wise maximum of its windows' rows; owners are 0..n-1 with every one present."""
    index = owners.to(logits.device).unsqueeze(1).expand_as(logits)
    out = logits.new_full((int(owners.max()) + 1, logits.shape[1]), float("-inf"))
    return out.scatter_reduce(0, index, logits, reduce="amax", include_self=True)


def encoder_layers(encoder: nn.Module) -> nn.ModuleList:
    """The stack of transformer blocks (BERT/XLM-R `encoder.layer`, and the `layers` of other families)."""
    return encoder.get_submodule(encoder_layers_path(encoder))


def encoder_layers_path(encoder: nn.Module) -> str:
    """Where `encoder_layers` sits in the encoder, e.g. "encoder.layer"."""
    for name, module in encoder.named_modules():
        if isinstance(module, nn.ModuleList) and name.split(".")[-1] in ("layer", "layers"):
            return name
    raise ConfigError(f"cannot find the transformer layers of {type(encoder).__name__} to freeze")


def config_labels(config: PretrainedConfig) -> tuple[str, ...]:
    """The event types a saved model predicts, in output-column order (its `config.json` id2label)."""
    return tuple(config.id2label[i] for i in range(config.num_labels))


def _set_encoder_dropout(config: PretrainedConfig, p: float) -> None:
    """Set every dropout rate the encoder's config names (BERT-style names, and the other families')."""
    names = [n for n in _DROPOUT_FIELDS if getattr(config, n, None) is not None]
    if not names:
        raise ConfigError(f"field `encoder_dropout`: the config of {config.model_type} names no dropout rate this "
                          f"library knows ({', '.join(_DROPOUT_FIELDS)}); leave the field empty")
    for name in names:
        setattr(config, name, p)


def _set_labels(config: PretrainedConfig, labels: Sequence[str]) -> None:
    config.num_labels = len(labels)
    config.id2label = dict(enumerate(labels))
    config.label2id = {name: i for i, name in enumerate(labels)}
    config.problem_type = "multi_label_classification"
