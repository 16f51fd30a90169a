"""What a control asks the app to do: the toolbar and the status card return one of these from
``process_event``, and the app turns it into ``TrainerLink`` calls (so no control talks to the trainer)."""
from __future__ import annotations

START, PAUSE, RESUME, CHECKPOINT, STOP, RESUME_DEAD, OPEN_RUN = (
    "start", "pause", "resume", "checkpoint", "stop", "resume_dead", "open_run")
Intent = str
