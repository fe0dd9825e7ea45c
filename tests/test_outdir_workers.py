"""Ctrl-C during a command reaches its whole process group (outdir.py): a reader forked while
the main process's handlers were set does nothing with it — no traceback of a worker starting up
reaches the user; the main process stops the workers and says what was left as it was."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys

import pytest

from pipeline.outdir import _raise_on_signals


def _signalled_child() -> None:
    os.kill(os.getpid(), signal.SIGINT)  # as killpg delivers a terminal's Ctrl-C
    sys.exit(0)  # reached only when the inherited handler let the worker be


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="readers are forked on Linux")
def test_a_forked_reader_is_not_interrupted_by_the_main_processs_handler() -> None:
    received: list[int] = []
    restore = _raise_on_signals(received)
    try:
        child = multiprocessing.get_context("fork").Process(target=_signalled_child)
        child.start()
        child.join(30)
    finally:
        restore()
    assert child.exitcode == 0
    assert received == []  # the main process was not told of the child's signal
