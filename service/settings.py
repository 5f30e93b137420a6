"""Configuration from the environment: ``FACTCHECK_*``, and the OpenAI client's own
``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FACTCHECK_", extra="ignore", populate_by_name=True
    )

    max_body_bytes: int = 2 * 1024 * 1024
    """Requests and input files larger than this are refused (HTTP 413, CLI exit 2)."""

    # -- the model provider ---------------------------------------------------------
    api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("FACTCHECK_PROVIDER_API_KEY", "OPENAI_API_KEY")
    )
    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("FACTCHECK_BASE_URL", "OPENAI_BASE_URL")
    )
    model: str = "gpt-4o-mini"
    """The model name sent to the provider; any OpenAI-compatible name works."""
    engine: Literal["auto", "llm", "offline"] = "auto"
    """auto: the LLM when a key or a base URL is set, else the offline engine."""
    json_mode: Literal["json_schema", "json_object"] = "json_schema"
    """json_schema (strict structured output) where the server supports it, else json_object."""
    timeout_seconds: float = 60.0
    max_retries: int = 2
    """Retries of one model call on 408/409/429/5xx and connection errors, with backoff and
    jitter, honouring Retry-After."""
    max_output_tokens: int = 1500
    context_tokens: int = 8192
    """The model's context window; an article that does not fit with the prompt and the
    answer is split on paragraph boundaries (map-reduce)."""
    price_input_per_mtok: float | None = None
    """USD per million prompt tokens; with the output price, responses carry a cost."""
    price_output_per_mtok: float | None = None
    max_concurrent_calls: int = Field(default=16, ge=1)
    """Model calls in flight at once, across all requests; more wait their turn."""
    queue_timeout_seconds: float = 30.0
    """How long a call waits for its turn before the request gets 503."""
    deadline_seconds: float = 180.0
    """The longest one analysis may take, all parts and retries included (then 504)."""
    cache_entries: int = 256
    """Identical requests (article, model, prompt version) answered from memory."""
    cache_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=1)
    """How long an answer stays in the shared cache (Redis); the in-process one keeps the
    ``cache_entries`` most recent."""
    budget_usd_per_day: float | None = Field(default=None, ge=0)
    """The most the model calls may cost in a UTC day, from the configured prices (both
    needed); past it, requests that need a model call get 503 until the next day. Shared by
    every replica with ``redis_url``."""

    # -- state shared by replicas, and the cluster ------------------------------------
    redis_url: SecretStr | None = None
    """FACTCHECK_REDIS_URL (``redis://host:6379/0``): the answer cache, the rate limit and
    the budget are kept there, shared by every process using it; unset, each process keeps
    its own."""
    redis_timeout_seconds: float = Field(default=0.25, gt=0)
    """How long a Redis command may take before Redis counts as down (the process then
    answers from its own state until Redis is back)."""
    dask_scheduler: str | None = None
    """FACTCHECK_DASK_SCHEDULER (``tcp://host:8786``): where ``factcheck batch --cluster``
    runs without an address."""

    # -- the HTTP service: security and operations -----------------------------------
    api_keys: SecretStr | None = None
    """FACTCHECK_API_KEYS: comma-separated bearer tokens for the service itself. When set,
    every endpoint but /health, /ready, /metrics and the schema needs
    ``Authorization: Bearer KEY``. Not the provider's key (FACTCHECK_PROVIDER_API_KEY)."""
    rate_limit_per_minute: int = Field(default=0, ge=0)
    """Requests per minute per API key (per client address without keys); 0: no limit."""
    cors_origins: str = ""
    """Comma-separated origins allowed by CORS (``*`` for any); empty: no CORS headers."""
    log_level: str = "INFO"
    """Level of the service's JSON log lines on stderr (``factcheck serve``)."""
    ready_timeout_seconds: float = Field(default=3.0, gt=0)
    """How long GET /ready waits for the model provider to answer GET /models."""
    ready_cache_seconds: float = Field(default=5.0, ge=0)
    """How long a GET /ready answer is reused before the provider is asked again."""

    @property
    def use_llm(self) -> bool:
        if self.engine != "auto":
            return self.engine == "llm"
        return self.api_key is not None or self.base_url is not None

    def redact(self, text: str) -> str:
        """``text`` with every secret of these settings masked: the API key, and a password
        in the base URL. For whatever leaves the process (problem bodies, stderr, logs)."""
        secrets = [self.api_key.get_secret_value()] if self.api_key else []
        urls = [self.base_url, self.redis_url.get_secret_value() if self.redis_url else None]
        for url in urls:
            if not url:
                continue
            try:
                password = urlsplit(url).password
            except ValueError:
                password = None
            if password:
                secrets.append(password)
        for secret in secrets:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
