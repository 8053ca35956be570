"""A class graded: the answers not yet in the journal, in batches of one question each, spread over a process
pool on every core (or a Dask cluster, ``scheduler``), each grade written to the journal as it comes, and the
table in the answers file's order, whatever order the batches finished in.

A worker marks each answer under a time limit of its own, and any failure on one answer is that answer's
"unreadable" row: one bad answer never stops the class. The Dask path ships the same batches to the same
function (``marking.grade_batch``), each on the main thread of a child process of the worker (see
``off_main_thread``); the questions travel with them, their networks read already.
"""

from __future__ import annotations

import concurrent.futures as futures
import gc
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..base.bounded import die_with_parent
from ..base.errors import SpecError
from ..base.stages import listening, unheard
from . import journal, marking
from .answers import Submission
from .marking import ANSWER_SECONDS, Grade, grade_batch
from .questions import Question

BATCH = 4  # answers to one question a task: enough that a task outweighs its dispatch, few enough to spread
Batch = tuple[Question, list[Submission]]


@dataclass(frozen=True)
class Graded:
    """A class's grades in the answers file's order, how many of them the journal already held, and a warning for
    each journal line that could not be used (its answer graded again)."""

    grades: list[Grade]
    reused: int
    warnings: list[str] = field(default_factory=list)


def grade_class(
    questions: dict[str, Question],
    submissions: list[Submission],
    folder: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    seconds: float = ANSWER_SECONDS,
    progress: Callable[[int, int], None] | None = None,
) -> Graded:
    """Every answer graded; with ``folder``, through its journal (graded answers found there are not graded
    again, and each new grade is added as it comes). ``workers``: processes (default: every core; 1 grades in
    this process); ``scheduler``: a Dask scheduler's address, instead of the pool."""
    keys = {s.row: journal.key(s, questions[s.question]) for s in submissions}
    found = journal.read(folder / journal.NAME) if folder is not None else journal.Found({}, [])
    known = found.grades
    done = {s.row: replace(known[keys[s.row]], row=s.row) for s in submissions if keys[s.row] in known}
    todo = [s for s in submissions if s.row not in done]
    total, count = len(submissions), len(done)
    if progress is not None:
        progress(count, total)
    client = _connected(scheduler) if scheduler is not None and todo else None  # before anything is written
    try:
        with _journal(folder) as book:
            for grades in _graded(_batches(questions, todo), workers, client, seconds):
                for g in grades:
                    done[g.row] = g
                if book is not None:
                    book.add((keys[g.row], g) for g in grades)
                count += len(grades)
                if progress is not None:
                    progress(count, total)
    finally:
        if client is not None:
            client.close()
    return Graded([done[s.row] for s in submissions], total - len(todo), found.warnings)


def _batches(questions: dict[str, Question], todo: list[Submission]) -> list[Batch]:
    by_question: dict[str, list[Submission]] = {}
    for s in todo:
        by_question.setdefault(s.question, []).append(s)
    return [
        (questions[q], answers[k : k + BATCH])
        for q, answers in by_question.items()
        for k in range(0, len(answers), BATCH)
    ]


class _NoJournal:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _journal(folder: Path | None) -> journal.Journal | _NoJournal:
    return journal.Journal(folder / journal.NAME) if folder is not None else _NoJournal()


def _graded(batches: list[Batch], workers: int | None, client: Any, seconds: float) -> Iterator[list[Grade]]:
    """Each batch's grades, as batches finish."""
    if not batches:
        return
    if client is not None:
        yield from _on_dask(batches, client, seconds)
    elif (workers or os.cpu_count() or 1) == 1 or len(batches) == 1:
        for question, answers in batches:
            with listening(_ignored):  # the progress line counts answers, not each answer's stages
                grades = grade_batch(question, answers, seconds)
            yield grades
    else:
        yield from _in_pool(batches, min(workers or os.cpu_count() or 1, len(batches)), seconds)


def _in_pool(batches: list[Batch], workers: int, seconds: float) -> Iterator[list[Grade]]:
    """The batches on a pool of forked processes, each of which dies with this one."""
    pool = futures.ProcessPoolExecutor(workers, multiprocessing.get_context("fork"), initializer=_worker_started)
    try:
        running = [pool.submit(grade_batch, question, answers, seconds) for question, answers in batches]
        for done in futures.as_completed(running):
            yield done.result()
    except BaseException:  # stopped: the batches not begun are dropped, and the processes die with this one
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)  # every batch done: the processes end at once, and are waited for


def _worker_started() -> None:
    """A pool's process: killed when the grading process ends, however it ends; its stop signals the default."""
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the grading process, which stops the pool
    die_with_parent(signal.SIGKILL)
    unheard()  # the parent's progress line is not this process's to write to


def _ignored(name: str) -> None:
    return None


def _connected(scheduler: str) -> Any:
    """A client of the Dask cluster whose scheduler is at ``scheduler`` (dask.distributed)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise SpecError("--scheduler needs dask.distributed: pip install 'symbackprop[dask]'") from None
    try:
        return Client(scheduler, timeout=10, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise SpecError(f"cannot reach the Dask scheduler at {scheduler!r}: {err}") from None


def _on_dask(batches: list[Batch], client: Any, seconds: float) -> Iterator[list[Grade]]:
    """The batches on the cluster ``client`` is connected to."""
    from dask.distributed import as_completed

    with client.as_current():
        running = [client.submit(off_main_thread, q, answers, seconds, pure=False) for q, answers in batches]
        for done in as_completed(running):
            yield done.result()


def off_main_thread(question: Question, submissions: list[Submission], seconds: float) -> list[Grade]:
    """``grade_batch`` where the time limit per answer holds even off the main thread, as on a Dask worker, whose
    tasks run on threads of its own: the limit is a signal, which only a main thread receives, so there the batch
    is marked in a process forked for it, whose one thread is its main thread, exactly as the process pool marks
    it. (A Dask worker is a daemonic process, which multiprocessing forbids to have a pool of its own.) The
    question's network is read before the fork, once per worker process, and the child inherits it."""
    if threading.current_thread() is threading.main_thread():
        return grade_batch(question, submissions, seconds)
    grade_batch(question, [], seconds)  # the question's Marker made here, for every batch's child to inherit,
    _ = marking._MARKERS[question.fingerprint].truth  # and the right answer lines are compared with, worked once
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: grades the batch, writes them down the pipe and ends, running nothing of the parent's
        code = 1
        try:
            os.close(readable)
            gc.callbacks.clear()  # the worker's own (Dask's gc diagnosis) are not the child's to run
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            die_with_parent(signal.SIGKILL)
            unheard()
            with os.fdopen(writable, "wb") as pipe:
                pipe.write(pickle.dumps(grade_batch(question, submissions, seconds)))
            code = 0
        finally:
            os._exit(code)
    os.close(writable)
    with os.fdopen(readable, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError(f"the process marking a batch of {question.id!r} ended with status {status}")
    return pickle.loads(data)  # written by this process's own child, just above
