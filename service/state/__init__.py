"""State that replicas of the service share: the model's answers (a cache), the rate limit
per client and the spend budget. One small interface, two forms: :class:`LocalState` in the
process (the default), :class:`~service.state.redis.RedisState` in Redis with
``FACTCHECK_REDIS_URL``, which falls back to a local state while Redis is unreachable and
goes back to Redis by itself. Nothing secret is stored: client keys are hashed, and answers
are keyed by a hash of the article."""

from __future__ import annotations

from ..settings import Settings
from .local import LocalState, SharedState, StateStatus

__all__ = ["LocalState", "SharedState", "StateStatus", "open_state"]


def open_state(settings: Settings) -> SharedState:
    """Redis when ``redis_url`` is set (redis-py is then needed), else this process's."""
    local = LocalState(settings)
    if settings.redis_url is None:
        return local
    from .redis import RedisState

    return RedisState(settings, local)
