"""Configuration from the environment (prefix ``FACTCHECK_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACTCHECK_", extra="ignore")

    max_body_bytes: int = 2 * 1024 * 1024
    """Requests and input files larger than this are refused (HTTP 413, CLI exit 2)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
