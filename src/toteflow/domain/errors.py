"""What a use case refuses, as exceptions the server and the station turn into messages."""

from __future__ import annotations


class ServiceError(Exception):
    """Base: str() is a sentence for the person who asked."""


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """The request clashes with the current state (a duplicate, a stale change)."""


class Refused(ServiceError):
    """A business rule says no (an illegal order transition, stock that is not there)."""


class Unauthenticated(ServiceError):
    pass


class Forbidden(ServiceError):
    pass
