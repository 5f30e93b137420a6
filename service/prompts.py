"""Prompt templates: files in ``prompts/``, one per task, each with its version.

A template is front matter (``key: value`` lines between ``---``) then a ``## system`` and
a ``## user`` section, rendered with ``string.Template`` (``$article``, ``$part``,
``$schema``). Changing a prompt is a reviewable diff of one file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from .errors import ConfigurationError

_DEFAULT_DIR = Path(__file__).resolve().parents[1] / "prompts"
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    version: str
    system: Template
    user: Template

    @property
    def ref(self) -> str:
        """``name@version``: what responses report and caches key on."""
        return f"{self.name}@{self.version}"

    def render(self, **values: str) -> tuple[str, str]:
        """The system and user messages, with every placeholder filled."""
        return self.system.substitute(values).strip(), self.user.substitute(values).strip()


def prompts_dir() -> Path | Traversable:
    """``FACTCHECK_PROMPTS_DIR``, else ``prompts/`` of the source tree, else the copy an
    installed wheel carries (package ``service.prompt_templates``)."""
    configured = os.environ.get("FACTCHECK_PROMPTS_DIR")
    if configured:
        return Path(configured)
    if _DEFAULT_DIR.is_dir():
        return _DEFAULT_DIR
    return files("service.prompt_templates")


@lru_cache(maxsize=16)
def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    path = (directory or prompts_dir()) / f"{name}.md"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"prompt template {path} cannot be read: {exc.strerror}") from None
    front, _, body = raw.partition("\n---\n")
    meta = dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition(":") for line in front.removeprefix("---\n").splitlines())
        if k.strip()
    )
    parts = _SECTION.split(body)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if "version" not in meta or set(sections) != {"system", "user"}:
        raise ConfigurationError(
            f"prompt template {path} needs a version and ## system / ## user sections"
        )
    return Prompt(
        meta.get("name", name),
        meta["version"],
        Template(sections["system"]),
        Template(sections["user"]),
    )
