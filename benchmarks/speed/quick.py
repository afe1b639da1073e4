"""A tiny untrained model for `--quick` and the tests: every route runs on it in seconds."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path


def quick_model(folder: Path) -> Path:
    """A tiny untrained model with a word-level tokenizer built from the bundled corpus, reading windows of the
    default length: exercises every route."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from eventclf.config import BUNDLED_CORPUS, TrainingConfig
    from eventclf.inference import EventClassifier
    from eventclf.labels import load_label_set
    from eventclf.modeling import EventModel

    window = TrainingConfig().max_length
    words = Counter(w for line in (BUNDLED_CORPUS / "train.jsonl").open(encoding="utf-8")
                    for w in json.loads(line)["text"].lower().split())
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] +
                                                [w for w, _ in words.most_common(3000)]), encoding="utf-8")
    tokenizer = BertTokenizerFast(str(folder / "vocab.txt"))
    labels = load_label_set(None).names
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=window, id2label=dict(enumerate(labels)),
                        label2id={name: i for i, name in enumerate(labels)})
    model = EventModel(BertModel(config, add_pooling_layer=False))
    model.save(folder)
    tokenizer.save_pretrained(folder)
    EventClassifier(model, tokenizer, dict.fromkeys(labels, 0.5), "query: ", window, "cpu").save_settings(folder)
    return folder
