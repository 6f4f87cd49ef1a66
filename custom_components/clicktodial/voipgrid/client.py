"""The client of one VoIPGRID account: one façade over the requests of each resource."""

from __future__ import annotations

from .call_history import CallHistoryRequests
from .caller_ids import CallerIdRequests
from .calls import CallRequests
from .destinations import DestinationRequests
from .phone_accounts import PhoneAccountRequests
from .queues import QueueRequests
from .subscriptions import SubscriptionRequests


class VoipgridClient(
    CallRequests,
    DestinationRequests,
    SubscriptionRequests,
    CallHistoryRequests,
    PhoneAccountRequests,
    QueueRequests,
    CallerIdRequests,
):
    """Async client of one VoIPGRID account, over an injected aiohttp session.

    The requests of each resource live in a module of their own; all share the core's
    session, credentials, request path and the account's one rate limit.
    """
