"""A real HTTP server on loopback that speaks the OpenAI chat-completions API.

It is the far end of the network for the ``openai`` provider's tests and for the benchmark:
uvicorn in a background thread, plain JSON and Server-Sent Events streaming, every request
body recorded, and switches to make it slow or failing. Its default "model" is simple and
deterministic: one bullet per labelled passage it was given, citing that label, so tests can
follow pages from prompt to citation.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

_BLOCK = re.compile(r"^\[([^\[\]\n]{1,80})\][^\n]*\n(.+?)(?=\n\n\[|\n\nCâu hỏi:|\Z)", re.M | re.S)
_TAGGED_LINE = re.compile(r"^-.*\[[^\[\]]+\]\s*$", re.M)


def user_text(body: dict[str, Any]) -> str:
    """The content of the request's user messages."""
    return "\n\n".join(m["content"] for m in body.get("messages", []) if m.get("role") == "user")


def echo_model(body: dict[str, Any]) -> str:
    """Cite each labelled passage: with its first words, or for a question with its sentence
    sharing the most words with the question; merge already-tagged lines (reduce)."""
    text = user_text(body)
    question = text.rsplit("Câu hỏi:", 1)[1] if "Câu hỏi:" in text else ""
    asked = set(question.lower().split())
    lines = []
    for label, passage in _BLOCK.findall(text):
        if asked:
            sentences = re.split(r"(?<=[.!?])\s+", " ".join(passage.split()))
            best = max(sentences, key=lambda s: len(asked & set(s.lower().split())))
            lines.append(f"- {best} [{label}]")
            continue
        words = " ".join(passage.split()[:14])
        lines.append(f"- {words} [{label}]")
    if not lines:
        lines = [m.group().strip() for m in _TAGGED_LINE.finditer(text)]
    return "\n".join(lines[:10]) or "Không có nội dung."


class OpenAIServer:
    """Start with ``start()`` (returns the base URL ending in /v1), stop with ``stop()``."""

    def __init__(self, model: Callable[[dict[str, Any]], str] = echo_model) -> None:
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.delay = 0.0  # seconds before answering
        self.fail_status: int | None = None  # answer this HTTP status instead
        self.broken_stream = False  # send a stream that is not valid JSON
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- inspection -------------------------------------------------------------------------
    def bodies(self) -> list[str]:
        """Every recorded request body, as sent (JSON text)."""
        with self._lock:
            return [json.dumps(r, ensure_ascii=False) for r in self.requests]

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
        self.delay = 0.0
        self.fail_status = None
        self.broken_stream = False

    # -- HTTP -------------------------------------------------------------------------------
    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        with self._lock:
            self.requests.append(body)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_status:
            return JSONResponse(
                {"error": {"message": "simulated failure", "type": "server_error", "code": None}},
                status_code=self.fail_status,
            )
        reply = self.model(body)
        prompt_tokens = len(user_text(body)) // 4
        completion_tokens = max(1, len(reply) // 4)
        created = int(time.time())
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(
                self._sse(
                    body["model"], reply, created, include_usage, prompt_tokens, completion_tokens
                ),
                media_type="text/event-stream",
            )
        return JSONResponse(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": created,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )

    async def _sse(
        self, model: str, reply: str, created: int, include_usage: bool, pt: int, ct: int
    ):  # type: ignore[no-untyped-def]
        if self.broken_stream:
            yield "data: {not json\n\n"
            return

        def chunk(delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> str:
            payload = {
                "id": "chatcmpl-stream",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            if usage:
                payload["usage"] = usage
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        for piece in re.findall(r"\S+\s*", reply):
            yield chunk({"content": piece})
            await asyncio.sleep(0)
        yield chunk({}, finish="stop")
        if include_usage:
            yield chunk(
                {}, usage={"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}
            )
        yield "data: [DONE]\n\n"

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "loopback", "object": "model"}]})

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> str:
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models),
            ]
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("loopback OpenAI server did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
