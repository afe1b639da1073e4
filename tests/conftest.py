"""Shared fixtures: a tiny BERT and tokenizer built on the fly, and a small learnable corpus, so the whole
train -> save -> load -> predict path runs offline in seconds."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

from eventclf import TrainingConfig

# Each type has cue words a tiny model can pick up; fillers are shared, so the cues are what matters.
CUES = {
    "bombing": ["blast", "explosion", "airstrike", "bomb"],
    "takeover": ["seized", "captured", "overran", "control"],
    "prisoner_release": ["freed", "released", "prisoners", "detainees"],
    "fatwa": ["fatwa", "ruling", "scholars", "mufti"],
    "offensive": ["assault", "offensive", "clashes", "advance"],
}
FILLER = ["the", "a", "in", "near", "town", "city", "north", "south", "reports", "said", "on", "monday", "officials", "local", "village", "road", "after"]


def _text(rng: random.Random, labels: list[str]) -> str:
    words = [rng.choice(FILLER) for _ in range(rng.randint(4, 9))]
    for label in labels:
        words.insert(rng.randrange(len(words) + 1), rng.choice(CUES[label]))
    return " ".join(words) + f" {rng.randint(0, 10**6)}"


def make_rows(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        k = rng.choice([0, 0, 1, 1, 1, 2])
        labels = sorted(rng.sample(sorted(CUES), k))
        rows.append({"id": f"r{seed}-{i}", "text": _text(rng, labels), "labels": labels,
                     "lang": rng.choice(["en", "ar"])})
    return rows


def texts_and_truth(n: int, seed: int, labels: list[str]):
    """`make_rows` as the texts and their 0/1 label matrix (columns in `labels` order), as the regressions take them."""
    from eventclf.metrics import binarize

    rows = make_rows(n, seed)
    return [r["text"] for r in rows], binarize([r["labels"] for r in rows], labels)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide BERT with a WordPiece tokenizer trained on the test vocabulary."""
    folder = tmp_path_factory.mktemp("tiny-base")
    normalizer, pre_tokenizer = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    corpus = [r["text"] for r in make_rows(300, seed=99)] + ["query: passage:"]
    # the vocabulary is built by hand: WordPieceTrainer breaks ties between threads at random, so every session
    # would get other token ids, another tiny model, and tests that pass or fail by the draw
    words = {w for text in corpus for w, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text))}
    chars = sorted({c for w in words for c in w})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + [f"##{c}" for c in chars] + sorted(words)
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(dict.fromkeys(vocab))}, unk_token="[UNK]"))
    tok.normalizer, tok.pre_tokenizer = normalizer, pre_tokenizer
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]", model_max_length=64)
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=fast.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(folder)
    return folder


def write_corpus(folder: Path, sizes: tuple[int, int, int] = (240, 60, 60)) -> Path:
    """train/validation/test JSONL files of `make_rows`, each split from its own seed."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (split, n) in enumerate(zip(("train", "validation", "test"), sizes), start=1):
        write_jsonl(folder / f"{split}.jsonl", make_rows(n, seed))
    return folder


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def tiny_config(tiny_base, corpus_dir, tmp_path) -> TrainingConfig:
    return tiny_settings(tiny_base, corpus_dir, tmp_path / "run")


@pytest.fixture(scope="session")
def trained_model(tiny_base, tmp_path_factory) -> Path:
    """One tiny model trained for the whole session; tests that only read it share it."""
    from eventclf.trainer import train

    root = tmp_path_factory.mktemp("trained")
    config = tiny_settings(tiny_base, write_corpus(root / "corpus"), root / "model")
    return train(config, log=lambda _: None)


def tiny_settings(base: Path, corpus: Path, output: Path, **overrides) -> TrainingConfig:
    values = dict(data_dir=str(corpus), base_model=str(base), text_prefix="", max_length=32, epochs=8,
                  learning_rate=3e-3, head_learning_rate=1e-2, warmup_ratio=0.0, freeze_word_embeddings="never",
                  output_dir=str(output), early_stopping_patience=8)
    values.update(overrides)
    return TrainingConfig(**values)


class KeywordModel(torch.nn.Module):
    """A stand-in encoder whose logit for a type is +3 per cue word of it in the window, minus 4: one cue scores
    0.27, two score 0.88. Tests of how blocks and sentences combine scores use it to know every score exactly."""

    def __init__(self, tokenizer):
        super().__init__()
        self.labels = tuple(CUES)
        self.cues = [torch.tensor(tokenizer.convert_tokens_to_ids(CUES[name])) for name in self.labels]

    def forward(self, input_ids, attention_mask):
        hits = [torch.isin(input_ids, cues).sum(dim=1) for cues in self.cues]
        return {"logits": torch.stack(hits, dim=1).float() * 3 - 4}


@pytest.fixture(scope="session")
def keyword_classifier(tiny_base):
    from transformers import AutoTokenizer

    from eventclf import EventClassifier

    tokenizer = AutoTokenizer.from_pretrained(tiny_base)
    return EventClassifier(KeywordModel(tokenizer), tokenizer, dict.fromkeys(CUES, 0.5), max_length=64, device="cpu")
