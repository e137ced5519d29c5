"""Writing what a call sent and received to disk, as ``AIModelCallConfig.artifact_config`` asks (dhenara-ai's
debugging artifacts).

One :class:`CallArtifacts` per call, made by :meth:`CallArtifacts.start` (None when artifacts are off); the client
reports the request sent and the answer (or wraps a stream with :meth:`CallArtifacts.watch_stream` /
:meth:`~CallArtifacts.watch_async_stream`). Files go to ``<artifact_root>[/<prefix>]/dai/``:

* ``dai_request.json`` — what the call was given: prompt, context, instructions, messages, the call config, and the
  model and API provider names;
* ``dai_provider_request.json`` — the request sent: method, path, query and JSON body (never the headers: they carry
  the credentials);
* ``dai_provider_response.json`` — the provider's JSON (for a stream, the response rebuilt from its events);
* ``dai_response.json`` — the response, without the provider's JSON (it is in the file above);
* ``dai_python_logs.jsonl`` — with ``enable_python_logs``, the log records of the call's thread from its start to its
  end (``python_log_level``; ``python_logger_levels`` sets single loggers' levels, ``"OFF"`` silences one, and the
  levels are restored at the end).

A file that cannot be written is logged as a warning, never raised: artifacts must not fail the call. Writing is I/O,
so it happens only when artifacts are enabled, outside the protocol modules.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .protocols.base import WireRequest
    from .types.config import AIModelCallConfig, ArtifactConfig
    from .types.endpoint import AIModelEndpoint
    from .types.response import AIModelCallResponse, StreamItem

logger = logging.getLogger("dhenara_http")

_OFF = {"off", "disabled", "none"}


def _dump(value: Any) -> Any:
    """``value`` in JSON form: pydantic models dumped in JSON mode (bytes as base64), containers walked."""
    if hasattr(value, "model_dump") and callable(value.model_dump):
        try:
            return value.model_dump(mode="json")
        except TypeError:  # the stream dataclasses' model_dump takes no mode
            return value.model_dump()
    if isinstance(value, list | tuple):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    return value


def _level(value: str | int, default: int = logging.INFO) -> int:
    if isinstance(value, int):
        return value
    found = logging.getLevelName(value.upper())
    return found if isinstance(found, int) else default


class _LogCapture:
    """Records of one thread, from :meth:`start` to :meth:`stop`, at a level; loggers' levels are changed for the
    time of the capture and restored after (the first capture saves them, the last one restores them: calls may
    overlap)."""

    _lock = threading.Lock()
    _active = 0
    _saved: dict[str, tuple[int, bool]] = {}  # class-wide state, guarded by _lock

    def __init__(self, config: ArtifactConfig) -> None:
        self.level = _level(config.python_log_level)
        self.overrides = dict(config.python_logger_levels or {})
        self.rows: list[dict[str, Any]] = []
        self.handler = logging.Handler(self.level)
        self.handler.emit = self._emit  # type: ignore[method-assign]
        thread = threading.get_ident()
        self.handler.addFilter(lambda record: record.thread == thread)

    def _emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format is kept with its raw message
            message = str(record.msg)
        self.rows.append({"ts": record.created, "level": record.levelname, "name": record.name, "message": message})

    def start(self) -> None:
        cls = type(self)
        with cls._lock:
            targets: dict[str, str | int] = {"dhenara_http": self.level, **self.overrides}
            if cls._active == 0:
                cls._saved = {
                    name: (logging.getLogger(name).level, logging.getLogger(name).disabled) for name in targets
                }
            cls._active += 1
            for name, target in targets.items():
                named = logging.getLogger(name)
                if isinstance(target, str) and target.lower() in _OFF:
                    named.disabled = True
                    continue
                wanted = _level(target, self.level)
                if named.level == logging.NOTSET or named.level > wanted or name in self.overrides:
                    named.setLevel(wanted)
            logging.getLogger().addHandler(self.handler)

    def stop(self) -> list[dict[str, Any]]:
        cls = type(self)
        with cls._lock:
            logging.getLogger().removeHandler(self.handler)
            cls._active -= 1
            if cls._active == 0:
                for name, (level, disabled) in cls._saved.items():
                    logging.getLogger(name).setLevel(level)
                    logging.getLogger(name).disabled = disabled
                cls._saved = {}
        return self.rows


class CallArtifacts:
    """The artifacts of one call. Make it with :meth:`start`; the client then reports the request sent
    (:meth:`provider_request`), the provider's answer (:meth:`provider_response`) and the end (:meth:`finish` or
    :meth:`fail`)."""

    def __init__(self, config: ArtifactConfig) -> None:
        assert config.artifact_root is not None
        self.config = config
        root = Path(config.artifact_root)
        self.folder = (root / config.prefix / "dai") if config.prefix else root / "dai"
        self._logs: _LogCapture | None = None
        self._done = False

    @classmethod
    def start(
        cls,
        config: AIModelCallConfig,
        endpoint: AIModelEndpoint | None = None,
        *,
        prompt: Any = None,
        context: Any = None,
        instructions: Any = None,
        messages: Any = None,
    ) -> CallArtifacts | None:
        """The artifacts of a call about to be made (``dai_request.json`` is written now), or None when the config
        asks for none."""
        art = config.artifact_config
        if art is None or not art.enabled or art.artifact_root is None:
            return None
        call = cls(art)
        if art.capture_dhenara_request:
            request = {
                "model": endpoint.ai_model.model_name if endpoint is not None else None,
                "api_provider": endpoint.api.provider.value if endpoint is not None else None,
                "prompt": _dump(prompt),
                "context": _dump(list(context or [])),
                "instructions": _dump(list(instructions or [])),
                "messages": _dump(list(messages)) if messages is not None else None,
                "config": _dump(config),
            }
            call._write("dai_request.json", request)
        if art.enable_python_logs:
            call._logs = _LogCapture(art)
            call._logs.start()
        return call

    def provider_request(self, wire: WireRequest) -> None:
        if self.config.capture_provider_request:
            body = {"method": wire.method, "path": wire.path, "params": wire.params, "json": wire.json}
            self._write("dai_provider_request.json", body)

    def provider_response(self, data: Any) -> None:
        if self.config.capture_provider_response and data is not None:
            self._write("dai_provider_response.json", data)

    def finish(self, response: AIModelCallResponse) -> None:
        """The call's end: ``dai_response.json`` (without the provider's JSON) and the captured logs."""
        if self.config.capture_dhenara_response:
            dumped = response.model_dump(
                mode="json",
                exclude={"chat_response": {"provider_response"}, "image_response": {"provider_response"}},
            )
            self._write("dai_response.json", dumped)
        self._stop_logs()

    def finish_stream(self, final: AIModelCallResponse) -> None:
        """A stream's end: its rebuilt provider JSON, then :meth:`finish`."""
        chat = final.chat_response
        self.provider_response(chat.provider_response if chat is not None else None)
        self.finish(final)

    def watch_stream(self, items: Iterator[StreamItem]) -> Iterator[StreamItem]:
        """``items`` unchanged; the final item finishes the artifacts, an error fails them."""
        try:
            for chunk, final in items:
                if final is not None:
                    self.finish_stream(final)
                yield chunk, final
        except BaseException as exc:
            self.fail(exc)
            raise
        finally:
            self._stop_logs()

    async def watch_async_stream(self, items: AsyncIterator[StreamItem]) -> AsyncIterator[StreamItem]:
        """:meth:`watch_stream` for an async stream."""
        try:
            async for chunk, final in items:
                if final is not None:
                    self.finish_stream(final)
                yield chunk, final
        except BaseException as exc:
            self.fail(exc)
            raise
        finally:
            self._stop_logs()

    def fail(self, error: BaseException) -> None:
        """The call failed: the captured logs are written (the error is the caller's to handle)."""
        logger.debug("artifacts: call failed with %s", type(error).__name__)
        self._stop_logs()

    def _stop_logs(self) -> None:
        if self._done:
            return
        self._done = True
        if self._logs is not None:
            rows = self._logs.stop()
            self._write_lines("dai_python_logs.jsonl", rows)

    # -- files

    def _write(self, name: str, data: Any) -> None:
        self._save(name, json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def _write_lines(self, name: str, rows: list[dict[str, Any]]) -> None:
        text = "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows)
        self._save(name, text)

    def _save(self, name: str, text: str) -> None:
        started = time.perf_counter()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / name).write_text(text, encoding="utf-8")
        except OSError as exc:
            logger.warning("artifacts: cannot write %s (%s)", self.folder / name, exc.strerror or exc)
            return
        logger.debug("artifacts: wrote %s in %.1f ms", self.folder / name, (time.perf_counter() - started) * 1000)
