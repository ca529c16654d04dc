"""A lab server that goes away mid-class loses nothing: sessions wait in the station's outbox
and go when the server is back, each stored once however often it is sent. Against a real
PostgreSQL server, stopped and started again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.trainer.records.conftest import PASSPHRASE
from tests.trainer.records.helpers import START, make_session
from tests.trainer.records.pg_server import PgServer
from trainer.offline.simulation import simulate_recording
from trainer.records.outbox import Outbox, waiting_line
from trainer.records.repository import Records
from trainer.records.station import send_outbox, store_or_queue


@pytest.fixture
def lab(pg_server: PgServer) -> Iterator[str]:
    url = pg_server.new_database()
    with Records.open(url) as r:
        r.add_course(PASSPHRASE, "c1", "Soft tissue")
        r.add_student(PASSPHRASE, "s1", "Ann Archer", course_id="c1")
    try:
        yield url
    finally:
        pg_server.ensure_running()  # a test that failed while the server was down
        pg_server.drop_database(url)


def _server_sessions(url: str) -> list[str]:
    with Records.open(url) as r:
        return sorted(s["session"] for s in r.sessions())


def test_the_server_stopped_mid_class_and_started_again(
    lab: str, pg_server: PgServer, tmp_path: Path
) -> None:
    box_path = tmp_path / "outbox.sqlite"
    first = make_session("s1", [80.0])
    assert store_or_queue(first, lab, box_path).state == "stored"

    pg_server.stop()
    queued = [make_session("s1", [70.0 + i], started=START + timedelta(hours=i)) for i in (1, 2, 3)]
    outcomes = [store_or_queue(new, lab, box_path) for new in queued]
    assert [o.state for o in outcomes] == ["queued"] * 3
    assert [o.waiting for o in outcomes] == [1, 2, 3]
    assert outcomes[-1].line == "3 sessions waiting to upload"
    down = send_outbox(lab, box_path)
    assert down.unreachable is not None and down.waiting == 3

    pg_server.start()
    sent = send_outbox(lab, box_path)
    assert (len(sent.sent), sent.waiting, sent.unreachable) == (3, 0, None)
    assert _server_sessions(lab) == sorted([first.id, *(q.id for q in queued)])
    # The stored copy is whole: strokes, figures and the raw recording.
    with Records.open(lab) as r:
        assert r.recording(queued[0].id) == (queued[0].recording, queued[0].events)
    again = send_outbox(lab, box_path)
    assert (again.sent, again.waiting) == ([], 0)
    assert len(_server_sessions(lab)) == 4


def test_a_reply_lost_on_the_way_sends_again_and_stores_once(lab: str, tmp_path: Path) -> None:
    """The server committed, the station never heard: the session is still queued. Sending it
    again stores nothing new and empties the outbox."""
    new = make_session("s1", [75.0, 85.0])
    with Records.open(lab) as r:
        assert r.add_session(new) is True
    with Outbox(tmp_path / "outbox.sqlite") as box:
        box.put(new, lab)
        assert box.put(new, lab) is False  # queuing twice keeps one copy
        assert box.waiting(lab) == 1
    result = send_outbox(lab, tmp_path / "outbox.sqlite")
    assert (result.sent, result.already_held, result.waiting) == ([], [new.id], 0)
    assert _server_sessions(lab) == [new.id]


def test_a_session_the_server_refuses_waits_with_the_reason(lab: str, tmp_path: Path) -> None:
    box_path = tmp_path / "outbox.sqlite"
    stranger = make_session("s-unknown", [50.0])
    good = make_session("s1", [90.0], started=START + timedelta(hours=1))
    with Outbox(box_path) as box:
        box.put(stranger, lab)
        box.put(good, lab)
    result = send_outbox(lab, box_path)
    assert result.sent == [good.id]
    assert "unknown student 's-unknown'" in result.refused[stranger.id]
    with Outbox(box_path) as box:
        (entry,) = box.entries(lab)
        assert entry["session_id"] == stranger.id and entry["attempts"] == 1
        assert "s-unknown" in str(entry["last_error"])
    assert _server_sessions(lab) == [good.id]


def test_the_command_line_queues_while_the_server_is_down(
    lab: str, pg_server: PgServer, tmp_path: Path
) -> None:
    recording = tmp_path / "r.csv"
    simulate_recording(recording, skill="competent", strokes=3, seed=5, rate_hz=200.0)
    pg_server.stop()
    proc = run_cli(
        "sessions",
        "add",
        str(recording),
        "--student",
        "s1",
        "--exercise",
        "sweep",
        "--db",
        lab,
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["stored"], out["waiting"], out["strokes"]) == ("queued", 1, 3)
    assert "1 session waiting to upload" in proc.stderr
    status = json.loads(run_cli("outbox", "--db", lab, "--json").stdout)
    assert status["waiting"] == 1 and status["sessions"][0]["session"] == out["session"]
    pg_server.start()
    proc = run_cli("outbox", "--send", "--db", lab, "--json")
    assert proc.returncode == 0, proc.stderr
    sent = json.loads(proc.stdout)
    assert (sent["waiting"], sent["send"]["sent"]) == (0, 1)
    assert _server_sessions(lab) == [out["session"]]


def test_waiting_line_reads_naturally() -> None:
    assert waiting_line(0) == "no sessions waiting to upload"
    assert waiting_line(1) == "1 session waiting to upload"
    assert waiting_line(3) == "3 sessions waiting to upload"
