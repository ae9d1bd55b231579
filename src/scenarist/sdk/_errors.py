"""The errors a module may raise; their class name is the contract's error type.

    ScenaristError
    └── ModuleError                  (type, message, step, retryable)
        ├── ConnectionError          retried: the other side could not be reached
        ├── RateLimitError           retried: the other side asks us to slow down
        ├── ModuleTimeoutError       retried: the operation took too long
        ├── DataError                not retried: the data (or an expression) is wrong
        ├── InvalidConfigurationError  not retried: the step's settings are wrong
        ├── AuthenticationError      not retried: credentials refused; flags the connection
        └── RuntimeError             not retried: anything else

Who must act decides the retries: a user error is never retried, a temporary
failure is retried on the contract's backoff, a rate limit may carry its own
delay. The docstring of each class is its default message.
"""

from __future__ import annotations

from typing import Any


class ScenaristError(Exception):
    """Scenarist failed."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (type(self).__doc__ or type(self).__name__).strip()
        super().__init__(self.message)


class ModuleError(ScenaristError):
    """A module failed."""

    retryable: bool = False

    def __init__(self, message: str | None = None, *, step: str | None = None) -> None:
        super().__init__(message)
        self.step = step

    @property
    def type(self) -> str:
        """The contract's error type: the nearest of the classes below (subclasses report their base)."""
        for cls in type(self).__mro__:
            if cls.__module__ == __name__ and cls.__name__ in ERROR_TYPES:
                return cls.__name__
        return "RuntimeError"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "message": self.message, "step": self.step}


class ConnectionError(ModuleError):
    """The remote service could not be reached."""

    retryable = True


class RateLimitError(ModuleError):
    """The remote service refused the request because of a rate limit."""

    retryable = True

    def __init__(
        self, message: str | None = None, *, retry_after: float | None = None, step: str | None = None
    ) -> None:
        super().__init__(message, step=step)
        self.retry_after = retry_after


class ModuleTimeoutError(ModuleError):
    """The operation did not finish in time."""

    retryable = True


class DataError(ModuleError):
    """The data given to the module is not valid."""


class InvalidConfigurationError(ModuleError):
    """The module's configuration is not valid."""


class AuthenticationError(ModuleError):
    """The remote service refused the credentials."""


class RuntimeError(ModuleError):
    """The module failed unexpectedly."""


ERROR_TYPES: dict[str, type[ModuleError]] = {
    cls.__name__: cls
    for cls in (
        ConnectionError,
        RateLimitError,
        ModuleTimeoutError,
        DataError,
        InvalidConfigurationError,
        AuthenticationError,
        RuntimeError,
    )
}
RETRIED_TYPES = frozenset(name for name, cls in ERROR_TYPES.items() if cls.retryable)
