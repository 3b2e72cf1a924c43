"""The gateway websocket: HELLO, IDENTIFY/READY, heartbeats, dispatches, RESUME and replay."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from aiohttp import WSMsgType, web

from sandbox.discord import payloads
from sandbox.discord.intents import adapt_for_intents
from sandbox.discord.state import State

log = logging.getLogger(__name__)

BACKLOG = 10_000
CLEAN_CLOSE_CODES = (1000, 1001)


class Op(IntEnum):
    """Gateway opcodes (developers/topics/opcodes-and-status-codes)."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class Connection:
    """One websocket; a single writer task keeps frames in order."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        self.session: Session | None = None
        self.outbox: asyncio.Queue[str] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write(), name="sandbox-gateway-writer")

    def send(self, frame: str) -> None:
        """Queue a frame for this socket."""
        self.outbox.put_nowait(frame)

    def send_op(self, op: Op, data: Any) -> None:
        """Queue a non-dispatch frame."""
        self.send(json.dumps({"op": int(op), "d": data, "s": None, "t": None}))

    async def _write(self) -> None:
        while True:
            frame = await self.outbox.get()
            try:
                await self.ws.send_str(frame)
            except ConnectionError:
                log.debug("gateway connection gone; the frame stays in the session backlog")
            finally:
                self.outbox.task_done()

    async def close(self, code: int, message: str) -> None:
        """Close the websocket with a gateway close code."""
        await self.ws.close(code=code, message=message.encode())

    def abort(self) -> None:
        """Cut the TCP connection without a close frame."""
        if self.request.transport is not None:
            self.request.transport.abort()

    async def stop(self) -> None:
        """Stop the writer task."""
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer


@dataclass(eq=False)
class Session:
    """A gateway session: it outlives connections so RESUME can replay what was missed."""

    id: str
    shard: tuple[int, int] | None
    intents: int
    seq: int = 0
    backlog: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=BACKLOG))
    connection: Connection | None = None

    def owns(self, guild_id: int | None) -> bool:
        """Whether events of this guild (None: DMs) go to this session's shard."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return (0 if guild_id is None else (guild_id >> 22) % count) == shard_id

    def can_replay_from(self, seq: int | None) -> bool:
        """Whether every event after `seq` is still in the backlog."""
        if seq is None:
            return False
        oldest = self.backlog[0][0] if self.backlog else self.seq + 1
        return seq >= oldest - 1


class Gateway:
    """Serves `/gateway` and fans state events out to the sessions."""

    def __init__(self, state: State, *, heartbeat_interval_ms: int, shard_count: int) -> None:
        self.state = state
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.recommended_shards = shard_count
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identify_count = 0
        self.resume_count = 0
        self.url = ""
        self.observers: list[Callable[[str, dict[str, Any]], None]] = []  # see every dispatch
        self._open = asyncio.Event()
        self._open.set()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection until it closes."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.add(conn)
        await self._open.wait()  # held: the client waits for HELLO, as during an outage
        conn.send_op(Op.HELLO, {"heartbeat_interval": self.heartbeat_interval_ms})
        try:
            async for msg in ws:
                try:
                    payload = json.loads(msg.data) if msg.type is WSMsgType.TEXT else None
                except ValueError:
                    payload = None
                if not isinstance(payload, dict):
                    await conn.close(4002, "Decode error.")
                    break
                await self._receive(conn, payload)
        finally:
            self.connections.discard(conn)
            await conn.stop()
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                if ws.close_code in CLEAN_CLOSE_CODES:
                    self.sessions.pop(session.id, None)
        return ws

    async def _receive(self, conn: Connection, payload: dict[str, Any]) -> None:
        op, raw = payload.get("op"), payload.get("d")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if op == Op.HEARTBEAT:
            conn.send_op(Op.HEARTBEAT_ACK, None)
        elif op == Op.IDENTIFY:
            await self._identify(conn, data)
        elif op == Op.RESUME:
            self._resume(conn, data)
        elif conn.session is None:
            await conn.close(4003, "Not authenticated.")
        elif op == Op.REQUEST_GUILD_MEMBERS:
            self._send_member_chunk(conn.session, data)
        elif op not in (Op.PRESENCE_UPDATE, Op.VOICE_STATE_UPDATE):
            await conn.close(4001, "Unknown opcode.")

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(4005, "Already authenticated.")
            return
        if data.get("token") != self.state.token:
            await conn.close(4004, "Authentication failed.")
            return
        shard = data.get("shard")
        if shard is not None and not 0 <= shard[0] < shard[1]:
            await conn.close(4010, "Invalid shard.")
            return
        session = Session(uuid.uuid4().hex, tuple(shard) if shard else None, data.get("intents", 0))
        for old in [s for s in self.sessions.values() if s.shard == session.shard]:
            del self.sessions[old.id]
        self.sessions[session.id] = session
        session.connection, conn.session = conn, session
        self.identify_count += 1
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**payloads.user(self.state.bot_user), "verified": True, "mfa_enabled": False},
            "guilds": [
                {"id": str(g), "unavailable": True} for g in self.state.guilds if session.owns(g)
            ],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(self.state.application_id), "flags": 0},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }
        if shard is not None:
            ready["shard"] = list(shard)
        self._send(session, "READY", ready)
        for guild in self.state.guilds.values():
            if session.owns(guild.id):
                self._deliver(session, "GUILD_CREATE", payloads.guild(guild, self.state))
        log.info("gateway session %s identified (shard %s)", session.id, shard)

    def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(data.get("session_id", ""))
        if (
            session is None
            or data.get("token") != self.state.token
            or not session.can_replay_from(data.get("seq"))
        ):
            conn.send_op(Op.INVALID_SESSION, False)
            return
        if session.connection is not None and session.connection is not conn:
            session.connection.abort()
        session.connection, conn.session = conn, session
        missed = [frame for seq, frame in session.backlog if seq > data["seq"]]
        for frame in missed:
            conn.send(frame)
        self._send(session, "RESUMED", {})
        self.resume_count += 1
        log.info("gateway session %s resumed, replayed %d events", session.id, len(missed))

    def _send_member_chunk(self, session: Session, data: dict[str, Any]) -> None:
        guild = self.state.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if (m.user.id in wanted if wanted else m.user.username.lower().startswith(query))
        ][: data.get("limit") or None]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [payloads.member(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self._send(session, "GUILD_MEMBERS_CHUNK", chunk)

    def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None) -> None:
        """State sink: send an event to every session whose shard owns the guild."""
        for session in list(self.sessions.values()):
            if session.owns(guild_id):
                self._deliver(session, event, data)

    def _deliver(self, session: Session, event: str, data: dict[str, Any]) -> None:
        adapted = adapt_for_intents(event, data, session.intents, self.state.bot_user.id)
        if adapted is not None:
            self._send(session, event, adapted)

    def _send(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": session.seq, "d": data})
        session.backlog.append((session.seq, frame))
        for observe in self.observers:
            observe(event, data)
        if session.connection is not None:
            session.connection.send(frame)

    def live_sessions(self) -> list[Session]:
        """Sessions that currently have a connection."""
        return [s for s in self.sessions.values() if s.connection is not None]

    def is_ready(self) -> bool:
        """True when an unsharded session, or sessions for every shard, are connected."""
        live = self.live_sessions()
        if any(s.shard is None for s in live):
            return True
        shards = {s.shard for s in live if s.shard is not None}
        return bool(shards) and all((i, n) in shards for (_, n) in shards for i in range(n))

    def hold(self) -> None:
        """Keep new connections waiting for HELLO until `release()`."""
        self._open.clear()

    def release(self) -> None:
        """Let held and new connections go on (HELLO is sent)."""
        self._open.set()

    def drop(self, *, resumable: bool, shard_id: int | None = None) -> int:
        """Cut live connections (of one shard, if given); unless resumable, forget the sessions."""
        live = [
            s
            for s in self.live_sessions()
            if shard_id is None or (s.shard is not None and s.shard[0] == shard_id)
        ]
        for session in live:
            if session.connection is not None:
                session.connection.abort()
            if not resumable:
                self.sessions.pop(session.id, None)
        return len(live)

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT to every live connection."""
        for session in self.live_sessions():
            if session.connection is not None:
                session.connection.send_op(Op.RECONNECT, None)

    async def flush(self) -> None:
        """Wait until every queued frame has been written to its socket."""
        for conn in list(self.connections):
            await conn.outbox.join()

    async def close(self) -> None:
        """Close every connection (as Discord does on shutdown: 1001, resumable)."""
        self.release()
        for conn in list(self.connections):
            await conn.close(4000, "Sandbox shutting down.")
