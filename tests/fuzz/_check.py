"""The allowed outcomes of a fuzz case, checked: a typed error, or a success that says what the (mutated) answer
says; for streams, deltas that lose no text the events carried."""

from __future__ import annotations

import json
from typing import Any

from dhenara_http.errors import ConfigurationError, DhenaraError, StreamError
from dhenara_http.types.enums import ImageContentFormat
from dhenara_http.types.response import ChatResponse, ImageResponse
from dhenara_http.types.stream import ChatResponseTextContentItemDelta
from tests.fuzz._oracle import fix_surrogates, read_answer, read_image_answer, read_stream
from tests.fuzz._run import Outcome
from tests.protocols._conformance_expect import assert_matches

_COUNTERS = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "reasoning_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
)


class Failure(AssertionError):
    pass


def _typed(error: BaseException) -> None:
    """Only the package's own errors may leave a call — and never a ConfigurationError: the input was fine."""
    if not isinstance(error, DhenaraError):
        raise Failure(f"untyped {type(error).__name__}: {error!s:.300}")
    if isinstance(error, ConfigurationError):
        raise Failure(f"a malformed answer raised a ConfigurationError: {error!s:.300}")
    if isinstance(error, StreamError) and error.partial is not None and error.partial.chat_response is not None:
        _usable(error.partial.chat_response)


def _usable(response: ChatResponse) -> None:
    """A response can be dumped to JSON (no lone surrogate, no depth pydantic refuses) and counts in ints."""
    try:
        response.model_dump_json()
    except Exception as exc:
        raise Failure(f"model_dump_json() fails: {type(exc).__name__}: {exc!s:.200}") from None
    if response.usage is not None:
        for name in _COUNTERS:
            if type(getattr(response.usage, name)) is not int:
                raise Failure(f"usage.{name} is {getattr(response.usage, name)!r}, not an int")


def check_answer(wire: str, raw: bytes, outcome: Outcome) -> None:
    if outcome.error is not None:
        _typed(outcome.error)
        return
    response = outcome.response
    if not isinstance(response, ChatResponse):
        raise Failure(f"no chat response and no error: {response!r:.100}")
    _usable(response)
    data, want = read_answer(wire, raw)
    if data is None:
        raise Failure("a body that is not JSON was read as an answer")
    if want is not None:
        # (An empty reasoning piece says nothing: an answer whose thinking is empty has no reasoning to show. And an
        # empty finishReason is no finish reason: Gemini's reading records the native reason only when there is one.)
        want.reasoning = [piece for piece in want.reasoning if piece]
        if wire == "gemini" and want.finish_native == "":
            want.finish_native = None
        # (A Chat Completions host that answers an empty finish reason while calling tools: tool_use, as documented.)
        if wire == "chat_completions" and want.finish_native == "" and want.tools:
            want.finish = "tool_use"
        try:
            assert_matches(response, want)
        except AssertionError as exc:
            raise Failure(f"the answer differs from what its JSON says: {exc!s:.500}") from None
        given = json.dumps(fix_surrogates(data), sort_keys=True)
        if json.dumps(response.provider_response, sort_keys=True) != given:
            raise Failure("provider_response is not the answer's JSON")


def _yielded_text(items: list[Any]) -> dict[int, str]:
    """Per choice, the text deltas the stream yielded, joined in arrival order."""
    texts: dict[int, str] = {}
    for chunk, _ in items:
        if chunk is None:
            continue
        deltas = chunk.data.choice_deltas
        if (
            not deltas
            or not deltas[0].content_deltas
            or not isinstance(deltas[0].content_deltas[0].get_text_delta(), str)
        ):
            raise Failure("a chunk breaks the choice_deltas[0].content_deltas[0] promise")
        for choice in deltas:
            for delta in choice.content_deltas:
                if isinstance(delta, ChatResponseTextContentItemDelta):
                    texts[choice.index] = texts.get(choice.index, "") + delta.text_delta
    return texts


def _in_order(pieces: list[str], text: str) -> bool:
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def check_stream(wire: str, raw: bytes, outcome: Outcome) -> None:
    yielded = _yielded_text(outcome.items)
    reading = read_stream(wire, raw)
    if outcome.error is not None:
        _typed(outcome.error)
        if wire != "responses":
            for index, text in yielded.items():
                carried = "".join(reading.pieces.get(index, []))
                if not carried.startswith(text):
                    raise Failure(f"before failing, choice {index} yielded text its events did not carry")
        return
    final = outcome.response
    if not isinstance(final, ChatResponse):
        raise Failure("the stream ended without its final item")
    _usable(final)
    if reading.unreadable:
        raise Failure("an event that is not JSON was skipped: what it carried is lost")
    if reading.broken:
        raise Failure("a stream with broken framing or an exception frame ended as a success")
    if wire == "responses":
        if not _in_order(reading.pieces.get(0, []), yielded.get(0, "")):
            raise Failure("a text delta the events carried is missing from the deltas yielded")
        if reading.terminal is not None:
            try:
                assert_matches(final, reading.terminal)
            except AssertionError as exc:
                raise Failure(f"the final answer differs from the terminal event's: {exc!s:.500}") from None
        return
    for index in set(reading.pieces) | set(yielded):
        carried = "".join(reading.pieces.get(index, []))
        if yielded.get(index, "") != carried:
            raise Failure(
                f"choice {index}: the deltas yielded {yielded.get(index, '')!r:.200}, the events carried "
                f"{carried!r:.200}"
            )
    first = final.choices[0].index if final.choices else 0
    want = reading.final_text.get(first) or ""
    if (final.text() or "") != want:
        raise Failure(f"final text {final.text()!r:.200} is not what the events add up to, {want!r:.200}")


def check_image(wire: str, raw: bytes, outcome: Outcome) -> None:
    """An image answer: a typed error, or the images, text and token counts its JSON says, counts whole and never
    negative, a cost (when priced) finite and never negative."""
    if outcome.error is not None:
        _typed(outcome.error)
        return
    response = outcome.response
    if not isinstance(response, ImageResponse):
        raise Failure(f"no image response and no error: {response!r:.100}")
    try:
        response.model_dump_json()
    except Exception as exc:
        raise Failure(f"model_dump_json() fails: {type(exc).__name__}: {exc!s:.200}") from None
    usage = response.usage
    if usage is not None:
        for name, value in usage.model_dump().items():
            if name.endswith("_tokens") and value is not None and (type(value) is not int or value < 0):
                raise Failure(f"usage.{name} is {value!r}, not a whole number")
    charge = response.usage_charge
    if charge is not None and not (charge.cost >= 0 and charge.cost < float("inf")):
        raise Failure(f"the cost is {charge.cost!r}")
    data, want = read_image_answer(wire, raw)
    if data is None:
        raise Failure("a body that is not JSON was read as an answer")
    if want is None:
        return
    if want.refused:
        raise Failure("an answer without images that says why was read as a success")
    got = [
        (
            i.content_b64_json if i.content_format == ImageContentFormat.BASE64 else None,
            i.content_url if i.content_format == ImageContentFormat.URL else None,
            i.media_type,
        )
        for i in response.images()
    ]
    if got != want.images:
        raise Failure(f"the images differ from what the JSON says: {got!r:.300} != {want.images!r:.300}")
    if want.revised_prompts and [i.revised_prompt for i in response.images()] != want.revised_prompts:
        raise Failure("a revised prompt was lost or changed")
    if wire == "gemini_images" and response.text() != want.text:
        raise Failure(f"the text {response.text()!r:.100} is not the answer's {want.text!r:.100}")
    for name, value in want.usage.items():
        if usage is None or getattr(usage, name) != value:
            raise Failure(f"usage.{name} is {getattr(usage, name, None)!r}, the answer says {value!r}")
    if json.dumps(response.provider_response, sort_keys=True) != json.dumps(fix_surrogates(data), sort_keys=True):
        raise Failure("provider_response is not the answer's JSON")
