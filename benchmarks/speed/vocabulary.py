"""What keeping only the word-embedding rows a corpus uses would save."""
from __future__ import annotations

import math
from collections import Counter
from pathlib import Path


def vocabulary(model: Path) -> dict:
    """What keeping only the word-embedding rows the bundled train+validation text uses (plus special tokens) would
    save, and how much of each test language's text would then fall outside the kept vocabulary."""
    from safetensors import safe_open
    from transformers import AutoConfig, AutoTokenizer

    from eventclf.config import BUNDLED_CORPUS
    from eventclf.data import read_examples
    from eventclf.inference import read_settings
    from eventclf.modeling import config_labels

    config, tok = AutoConfig.from_pretrained(model), AutoTokenizer.from_pretrained(model)
    labels = config_labels(config)
    prefix = read_settings(model).get("text_prefix", "")

    def ids(split: str) -> list[tuple[str, list[int]]]:
        examples = read_examples(BUNDLED_CORPUS / f"{split}.jsonl", labels)
        return list(zip([ex.lang for ex in examples], tok([prefix + ex.text for ex in examples])["input_ids"]))

    kept = set(tok.all_special_ids) | {i for split in ("train", "validation") for _, row in ids(split) for i in row}
    seen, lost = Counter(), Counter()
    for lang, row in ids("test"):
        seen[lang] += len(row)
        lost[lang] += sum(i not in kept for i in row)
    total_params = 0
    weights = model / "model.safetensors"
    if weights.is_file():
        with safe_open(str(weights), "pt") as f:
            total_params = sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())
    rows, width = config.vocab_size, config.hidden_size
    return {
        "vocab_size": rows, "kept_rows": len(kept), "embedding_params": rows * width, "total_params": total_params,
        "saved_mb_int8": (rows - len(kept)) * width / 2**20, "saved_mb_fp32": (rows - len(kept)) * width * 4 / 2**20,
        "test_tokens_outside_kept_by_language": {lang: lost[lang] / seen[lang] for lang in sorted(seen)},
    }
