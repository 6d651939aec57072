"""The local model writes one answer at a time: answering requests wait in a bounded queue (503 beyond it), and
each answer runs in a worker thread whose events are pumped to the event loop."""
from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from assistant.answering.answer import Assistant
from assistant.answering.events import Done, Event
from assistant.errors import AssistantError
from assistant.records import Answer
from assistant.retrieval.retrieve import Filters
from assistant.serving.api.errors import ApiError, answer_error
from assistant.serving.service import stream


class ModelQueue:
    """One answer from the model at a time; `waiting` more may wait up to `timeout` s; beyond, 503 + Retry-After."""

    def __init__(self, waiting: int, timeout: float):
        self.waiting, self.timeout = waiting, timeout
        self._slot = asyncio.Semaphore(1)
        self._held = 0  # the request generating plus those waiting
        self._started = 0.0
        self._mean_s = 10.0  # running mean of one answer's time, for Retry-After

    def retry_after(self) -> str:
        return str(max(1, math.ceil(self._mean_s * max(1, self._held))))

    async def acquire(self) -> None:
        if self._held > self.waiting:
            raise ApiError(503, f"大模型繁忙：已有 {self._held} 个请求在处理或排队，请稍后再试", "model_busy",
                           headers={"Retry-After": self.retry_after()})
        self._held += 1
        try:
            await asyncio.wait_for(self._slot.acquire(), self.timeout)
        except TimeoutError:
            self._held -= 1
            raise ApiError(503, f"大模型繁忙：排队超过 {self.timeout:g} 秒，请稍后再试", "model_busy",
                           headers={"Retry-After": self.retry_after()}) from None
        except BaseException:  # the client went away while waiting
            self._held -= 1
            raise
        self._started = time.monotonic()

    def release(self) -> None:
        self._mean_s = 0.7 * self._mean_s + 0.3 * (time.monotonic() - self._started)
        self._held -= 1
        self._slot.release()


_END = object()


@dataclass
class _Failed:
    error: BaseException


class Pump:
    """Runs one `Assistant.stream` in a worker thread at once and hands its events to the event loop;
    `stop` ends generation early (the generator is closed in its own thread, so the model is freed)."""

    def __init__(self, executor: ThreadPoolExecutor, make_events: Callable[[], Iterator[Event]],
                 finished: Callable[[], None] | None = None):
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue = asyncio.Queue()
        self._stop = threading.Event()
        future = self._loop.run_in_executor(executor, self._produce, make_events)
        if finished is not None:
            future.add_done_callback(lambda _: finished())

    def _put(self, item: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the event loop closed (server shutting down): nobody is listening
            pass

    def _produce(self, make_events: Callable[[], Iterator[Event]]) -> None:
        events = make_events()
        try:
            for event in events:
                self._put(event)
                if self._stop.is_set():
                    break
        except Exception as e:  # noqa: BLE001 — handed to the request, which answers it
            self._put(_Failed(e))
        finally:
            events.close()
            self._put(_END)

    async def events(self) -> AsyncIterator[Event]:
        try:
            while (item := await self._queue.get()) is not _END:
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            self._stop.set()

    def stop(self) -> None:
        self._stop.set()


class Answers:
    """Starts answers in the app's answer threads, waiting in the model queue first when there is a model."""

    def __init__(self, queue: ModelQueue, executor: ThreadPoolExecutor):
        self.queue, self.executor = queue, executor

    async def start(self, assistant: Assistant, question: str, history: list[Answer],
                    filters: Filters = Filters()) -> Pump:
        """The answer's events as they come (or 503 when the queue is full or the wait too long)."""
        if assistant.model is None:
            return Pump(self.executor, lambda: stream(assistant, question, history, filters))
        await self.queue.acquire()
        try:
            return Pump(self.executor, lambda: stream(assistant, question, history, filters), self.queue.release)
        except BaseException:
            self.queue.release()
            raise


async def final_answer(pump: Pump) -> Answer:
    """The answer the pump ends with; a failed answer as its ApiError."""
    try:
        async for event in pump.events():
            if isinstance(event, Done):
                return event.answer
    except (AssistantError, ValueError) as e:
        raise answer_error(e) from e
    raise RuntimeError("answer stream ended without an answer")
