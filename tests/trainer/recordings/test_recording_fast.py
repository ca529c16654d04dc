"""The fast recording reader (pandas' C parser) is never more lenient than the careful one.

pandas accepts things the recording format does not: quoted numbers, ``NA``, empty or missing
fields (as NaN), every row one field longer than the header (the extra column silently dropped
with ``index_col=False`` and names), bytes that are not UTF-8 inside a comment line. Each of these
must still reach the careful reader and fail with the file and line named.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.recordings import reader
from trainer.recordings.format import RecordingError
from trainer.recordings.reader import _read_and_check, _read_good_file, read_recording


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"time_s,force_n,angle_deg\n0,1,2,3\n0.1,2,3,4\n", "line 2: 4 fields where the header"),
        (b'time_s,force_n,angle_deg\n0,1,2\n0.1,"2",3\n', "line 3: field 2 is not a number"),
        (b"time_s,force_n,angle_deg\n0,1,2\n0.1,NA,3\n", "line 3: field 2 is not a number: 'NA'"),
        (b"time_s,force_n,angle_deg,temp_c\n0,1,2,3\n0.1,2,3,\n", "line 3: field 4 is empty"),
        (b"time_s,force_n,angle_deg,temp_c\n0,1,2,3\n0.1,2,3\n", "line 3: 3 fields where"),
        (b"time_s,force_n,angle_deg\n0,1,2\n# caf\xe9\n0.1,2,3\n", "not a text file"),
        (b"time_s,force_n,angle_deg\n0,1,2\n0.1,inf,3\n", "line 3: force_n is empty or not"),
    ],
)
def test_what_pandas_would_accept_is_still_a_named_fault(
    tmp_path: Path, body: bytes, message: str
) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(body)
    assert _read_good_file(path) is None
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_unicode_metadata_and_nan_in_an_extra_column_take_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(
        "# recorded_by: Zoë Ñúñez\r\n\ntime_s,force_n,angle_deg,temp_c\r\n"
        "0,1.5,40,nan\r\n# lifted\n\n0.001,2.25,41,20.5 # warm\r\n0.002,3,42,21\n",
        encoding="utf-8",
    )
    fast, careful = _read_good_file(path), _read_and_check(path)
    assert fast is not None
    assert fast.metadata == careful.metadata == {"recorded_by": "Zoë Ñúñez"}
    assert fast.channels == careful.channels == ("force_n", "angle_deg", "temp_c")
    np.testing.assert_array_equal(fast.t_s, careful.t_s)
    np.testing.assert_array_equal(fast.values, careful.values)
    np.testing.assert_array_equal(fast.channel("temp_c"), [np.nan, 20.5, 21.0])


def test_numbers_are_read_to_the_last_bit(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(1e-4, 2e-3, 5000))
    v = rng.normal(0, 1, (5000, 2)) * 10.0 ** rng.integers(-5, 6, (5000, 2))
    rows = zip(t.tolist(), v.tolist(), strict=True)
    text = "".join(f"{a!r},{b!r},{c!r}\n" for a, (b, c) in rows)
    path = tmp_path / "bits.csv"
    path.write_text("time_s,force_n,angle_deg\n" + text)
    fast = _read_good_file(path)
    assert fast is not None
    np.testing.assert_array_equal(fast.t_s, t)
    np.testing.assert_array_equal(fast.values, v)


@pytest.fixture
def parts_of_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large files are parsed in parts at once (one per core): let small ones be, on any
    machine, so every place a cut can fall is tried."""
    monkeypatch.setattr(reader, "_MIN_PART_BYTES", 1)
    monkeypatch.setattr(reader, "_cores", lambda: 2)


@pytest.mark.usefixtures("parts_of_any_size")
@pytest.mark.parametrize("parts", [2, 3, 5])
def test_a_file_read_in_parts_is_the_file_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts: int
) -> None:
    monkeypatch.setattr(reader, "_MAX_PARTS", parts)
    monkeypatch.setattr(reader, "_cores", lambda: parts)
    lines = ["# rate_hz: 1000", "time_s,force_n,angle_deg,temp_c"]
    for i in range(40):
        lines.append(f"{i / 1000:.3f},{i * 0.25 + 0.1:.3f},{40 + i % 7},{'nan' if i % 9 else 20}")
        if i % 6 == 0:
            lines.append("# lifted" if i % 12 else "")  # cuts fall on comments and blank lines
    path = tmp_path / "parts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(path, "rb") as f:
        assert len(reader._part_bounds(f, 0, path.stat().st_size)) == parts + 1
    fast, careful = _read_good_file(path), _read_and_check(path)
    assert fast is not None
    np.testing.assert_array_equal(fast.t_s, careful.t_s)
    np.testing.assert_array_equal(fast.values, careful.values)
    assert fast.t_s.size == 40


@pytest.mark.usefixtures("parts_of_any_size")
def test_a_fault_in_a_later_part_is_named_at_its_own_line(tmp_path: Path) -> None:
    rows = [f"{i / 1000:.3f},{i * 0.5:.2f},40" for i in range(30)]
    rows[25] = "0.025,NA,40"
    path = tmp_path / "late.csv"
    path.write_text("time_s,force_n,angle_deg\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert _read_good_file(path) is None
    with pytest.raises(RecordingError, match=r"line 27: field 2 is not a number: 'NA'"):
        read_recording(path)


@pytest.mark.usefixtures("parts_of_any_size")
def test_time_going_back_across_a_cut_is_a_fault(tmp_path: Path) -> None:
    head = "time_s,force_n,angle_deg\n"
    rows = [f"{i / 1000:.3f},{i * 0.5:.2f},40\n" for i in range(30)]
    path = tmp_path / "back.csv"
    path.write_text(head + "".join(rows), encoding="utf-8")
    with open(path, "rb") as f:
        cut = reader._part_bounds(f, len(head), path.stat().st_size)[1]
    first = rows.index(path.read_bytes()[cut:].split(b"\n")[0].decode() + "\n")
    rows[first] = f"{(first - 2) / 1000:.3f},1,40\n"  # the second part starts back in time
    path.write_text(head + "".join(rows), encoding="utf-8")
    assert _read_good_file(path) is None
    with pytest.raises(RecordingError, match=f"line {first + 2}"):
        read_recording(path)
