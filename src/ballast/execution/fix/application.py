"""The QuickFIX application callbacks: session events and incoming execution reports handed
to the adapter. QuickFIX calls them on its own thread."""

from __future__ import annotations

from collections.abc import Callable

import quickfix as fix

from ballast.execution.fix.messages import (
    CANCEL_REJECT,
    EXECUTION_REPORT,
    HEARTBEAT,
    MSG_TYPE,
    TEST_REQ_ID,
    ExecReport,
    parse_report,
)


class Callbacks(fix.Application):  # type: ignore[misc]  # quickfix ships no type hints
    """Forwards logon, logout and each ExecutionReport or OrderCancelReject (parsed) to the
    adapter. QuickFIX advances the incoming sequence number after ``fromApp`` returns, so a
    report the adapter journals here is never lost to a crash."""

    def __init__(self, on_session: Callable[[bool], None],
                 on_report: Callable[[ExecReport], None],
                 on_heartbeat: Callable[[str], None]) -> None:
        super().__init__()
        self._on_session = on_session
        self._on_report = on_report
        self._on_heartbeat = on_heartbeat

    def onCreate(self, session_id: fix.SessionID) -> None:  # QuickFIX names the callbacks
        """Nothing to do when QuickFIX creates the session."""

    def onLogon(self, session_id: fix.SessionID) -> None:
        self._on_session(True)

    def onLogout(self, session_id: fix.SessionID) -> None:
        self._on_session(False)

    def toAdmin(self, message: fix.Message, session_id: fix.SessionID) -> None:
        """Administrative messages go out as QuickFIX builds them."""

    def fromAdmin(self, message: fix.Message, session_id: fix.SessionID) -> None:
        """Administrative messages are QuickFIX's; a heartbeat answering a test request is
        passed on (everything the broker sent before it has been processed)."""
        if message.getHeader().getField(MSG_TYPE) == HEARTBEAT and \
                message.isSetField(TEST_REQ_ID):
            self._on_heartbeat(message.getField(TEST_REQ_ID))

    def toApp(self, message: fix.Message, session_id: fix.SessionID) -> None:
        """Orders go out as built; on a resend QuickFIX sends them again with PossDupFlag,
        and the broker recognizes their ClOrdIDs."""

    def fromApp(self, message: fix.Message, session_id: fix.SessionID) -> None:
        if message.getHeader().getField(MSG_TYPE) in (EXECUTION_REPORT, CANCEL_REJECT):
            self._on_report(parse_report(message))
