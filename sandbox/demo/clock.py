"""The demo's clock: real time, shifted into the past while history replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import Clock


class TravellingClock(Clock):
    """Wall-clock time plus an offset that `travel_to` sets; `back_to_present` clears it."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """The shifted current time, aware UTC."""
        return datetime.now(UTC) + self._offset

    def travel_to(self, moment: datetime) -> None:
        """From now on, `now()` starts at `moment` and runs on with the wall clock."""
        self._offset = moment - datetime.now(UTC)

    def back_to_present(self) -> None:
        """Real time again."""
        self._offset = timedelta(0)
