"""The FIX session's configuration: who we are, where the broker listens, where sequence
numbers and the adapter's journal are kept."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

BEGIN_STRING = "FIX.4.4"


def bundled_dictionary() -> Path | None:
    """The FIX 4.4 data dictionary the quickfix wheel installs (``<prefix>/share/quickfix``)."""
    path = Path(sys.prefix) / "share" / "quickfix" / "FIX44.xml"
    return path if path.is_file() else None


class FixSettings(BaseModel):
    """One FIX 4.4 initiator session. ``store_dir`` holds QuickFIX's message store (sequence
    numbers and sent messages, so a restart continues the sequence and can answer a resend
    request) and the adapter's journal of orders and execution reports. The session is
    continuous from ``session_start`` to ``session_end`` (UTC, equal: a 24-hour session
    reset at that time); sequence numbers are reset only there. ``sync_journal`` syncs each
    journal record to the disk (a few milliseconds each), so that it survives the machine
    stopping and not only the process; ``log_messages`` keeps QuickFIX's message log in
    ``store_dir/log``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(gt=0, lt=65536)
    sender_comp_id: str = Field(min_length=1)
    target_comp_id: str = Field(min_length=1)
    store_dir: Path
    heartbeat_seconds: int = Field(default=30, gt=0)
    reconnect_seconds: int = Field(default=5, gt=0)
    logon_timeout_seconds: float = Field(default=10.0, gt=0)
    reply_timeout_seconds: float = Field(default=5.0, gt=0)
    session_start: str = Field(default="00:00:00", pattern=r"^\d\d:\d\d:\d\d$")
    session_end: str = Field(default="00:00:00", pattern=r"^\d\d:\d\d:\d\d$")
    data_dictionary: Path | None = Field(default_factory=bundled_dictionary)
    log_messages: bool = False
    sync_journal: bool = False
    fractional: bool = False
    name: str = "fix"

    @property
    def session_text(self) -> str:
        """The QuickFIX session settings, in its configuration file format."""
        dictionary = (f"UseDataDictionary=Y\nDataDictionary={self.data_dictionary}"
                      if self.data_dictionary else "UseDataDictionary=N")
        return "\n".join([
            "[DEFAULT]",
            "ConnectionType=initiator",
            f"FileStorePath={self.store_dir / 'quickfix'}",
            f"FileLogPath={self.store_dir / 'log'}",
            f"StartTime={self.session_start}",
            f"EndTime={self.session_end}",
            f"HeartBtInt={self.heartbeat_seconds}",
            f"ReconnectInterval={self.reconnect_seconds}",
            "ResetOnLogon=N", "ResetOnLogout=N", "ResetOnDisconnect=N",
            "PersistMessages=Y",
            "ValidateUserDefinedFields=N",
            dictionary,
            "[SESSION]",
            f"BeginString={BEGIN_STRING}",
            f"SenderCompID={self.sender_comp_id}",
            f"TargetCompID={self.target_comp_id}",
            f"SocketConnectHost={self.host}",
            f"SocketConnectPort={self.port}",
            "SocketNodelay=Y",
            "",
        ])
