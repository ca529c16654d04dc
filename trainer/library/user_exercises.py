"""Where instructors' own exercises live, and how they join the shipped library.

An exercise an instructor builds from their own expert strokes is saved as a plain exercise file in
the per-user data folder (``exercises/`` under ``trainer.paths``), one file per exercise named by
its id, and the expert recordings it was built from are kept beside it (``expert-recordings/``) so
the envelope can be rebuilt. The application lists these after the shipped exercises.

A user exercise may never take the id of a shipped one: recordings name their exercise by id, and
"sweep" must mean the same envelope on every machine of a course. Saving again under an existing
user id replaces that exercise and raises its version, so recordings made against the old
envelope still say which one they were scored against.

A damaged file in the folder is reported, never fatal: the rest still load. Never imports Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from exercises import library_dir
from trainer.library.exercise import (
    Exercise,
    ExerciseError,
    is_valid_exercise_id,
    load_exercise_file,
    save_exercise,
)
from trainer.paths import AppPaths

EXERCISES_DIRNAME = "exercises"
EXPERT_RECORDINGS_DIRNAME = "expert-recordings"
#: The id rule of the exercise file format (``trainer.library.exercise``), checked early for the
#: form.


def user_exercises_dir(paths: AppPaths) -> Path:
    """The folder of the instructor's own exercise files (not created here)."""
    return paths.data_dir / EXERCISES_DIRNAME


def expert_recordings_dir(paths: AppPaths) -> Path:
    """The folder where expert demonstrations are recorded, kept to rebuild envelopes from."""
    return paths.data_dir / EXPERT_RECORDINGS_DIRNAME


def exercise_path(folder: Path, exercise_id: str) -> Path:
    return folder / f"{exercise_id}.json"


def reserved_ids(shipped: Iterable[Exercise]) -> frozenset[str]:
    """Ids a user exercise may not take: those of the shipped library (listed or not)."""
    return frozenset({ex.id for ex in shipped} | {f.stem for f in library_dir().glob("*.json")})


def load_user_exercises(folder: Path) -> tuple[list[Exercise], list[str]]:
    """Every readable exercise file in ``folder`` (by name), and one message per bad file."""
    if not folder.is_dir():
        return [], []
    found: list[Exercise] = []
    problems: list[str] = []
    for f in sorted(folder.glob("*.json")):
        try:
            found.append(load_exercise_file(f))
        except ExerciseError as exc:
            problems.append(str(exc))
    found.sort(key=lambda ex: ex.name.casefold())
    return found, problems


def merge_exercises(
    shipped: Sequence[Exercise], user: Iterable[Exercise]
) -> tuple[list[Exercise], list[str]]:
    """The shipped exercises, then the user's; a user file reusing a taken id is left out."""
    merged = list(shipped)
    taken = {ex.id for ex in merged}
    problems = []
    for ex in user:
        if ex.id in taken:
            where = f"{ex.source}: " if ex.source else ""
            problems.append(f"{where}id '{ex.id}' is already taken; this file is not listed")
            continue
        taken.add(ex.id)
        merged.append(ex)
    return merged, problems


def check_new_id(exercise_id: str, shipped_ids: Iterable[str]) -> None:
    """Raise ``ExerciseError`` saying what is wrong with an id for a new user exercise."""
    if not exercise_id:
        raise ExerciseError("give the exercise an id, for example 'sweep-forearm-smith'")
    if not is_valid_exercise_id(exercise_id):
        raise ExerciseError(
            f"id '{exercise_id}': use lower-case letters, digits, '-', '_' or '.', starting "
            "with a letter or digit (at most 64 characters)"
        )
    if exercise_id in set(shipped_ids):
        raise ExerciseError(
            f"id '{exercise_id}' belongs to a shipped exercise; choose another, for example "
            f"'{exercise_id}-own'"
        )


def save_user_exercise(
    exercise: Exercise, folder: Path, shipped_ids: Iterable[str]
) -> tuple[Exercise, Exercise | None]:
    """Write ``exercise`` into ``folder``; returns it as saved (with its file and version) and
    the exercise it replaced, if any.

    The file is checked by reading its own content back before it is written, so a file this
    function wrote always loads.
    """
    check_new_id(exercise.id, shipped_ids)
    path = exercise_path(folder, exercise.id)
    previous: Exercise | None = None
    if path.exists():
        try:
            previous = load_exercise_file(path)
        except ExerciseError:
            previous = None  # a damaged file is simply replaced
    if previous is not None:
        exercise = replace(exercise, version=previous.version + 1)
    checked = Exercise.from_dict(exercise.to_dict(), source=path)
    save_exercise(checked, path)
    return checked, previous
