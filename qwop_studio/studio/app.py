"""QWOP Studio's window: layout and main loop around the runner, the controls, the charts and the trainer.

One pygame-gui loop (as every pygame-gui app has): events -> ``manager.process_events`` and our
handlers (widget events matched by ``event.ui_element``), ``update(dt)`` (trainer events, the runner,
``manager.update``), ``draw()`` (cards, runner, charts, then ``manager.draw_ui``), flip.

Layout (1280x800 by default, any size from 960x600; re-laid out on every resize)::

    +------------------------------------------------------------------------------+
    | QWOP Studio  [config v] [Open run…]  [Start] [Pause] [Save checkpoint] [Stop] |
    +--------------------------------------------------+---------------------------+
    | Live runner                [Manual play] [Reset]  | Training (status card)    |
    |                                                  +---------------------------+
    |        the runner view (the largest panel)       | Reward weights            |
    |                                                  |   one slider per weight   |
    +-------------------------+------------------------+                           |
    | [chart v]               | [chart v]              |                           |
    +-------------------------+------------------------+---------------------------+

Shortcuts: Space pause/resume, Ctrl+S checkpoint, Esc quit (asks first while training runs), Q/W/O/P
take over the runner, R resets it. Closing the window stops the trainer cleanly: Stop makes it save a
checkpoint and the final model; the window stays drawn (saying so) until it has.

:class:`StudioApp` is the whole app without the blocking loop, for tests: post real pygame /
pygame-gui events and call :meth:`StudioApp.frame`.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu
from pygame_gui.windows import UIConfirmationDialog, UIFileDialog

from qwop_studio import resources
from qwop_studio.render.display import open_window
from qwop_studio.render.hud import CONTROLLER_COLOURS
from qwop_studio.render.pacing import FramePacer
from qwop_studio.saves import SWEEPS, runs_dir
from qwop_studio.studio import config_choices, intents, look, sliders, status_card, toolbar
from qwop_studio.studio.charts import CHARTS, ChartData, ChartView
from qwop_studio.studio.layout import DEFAULT_SIZE, MIN_SIZE, compute_layout
from qwop_studio.studio.live_runner import AGENT, MODELS_DIR, LiveRunner
from qwop_studio.studio.trainer_link import LinkState, StartRequest, TrainerLink
from qwop_studio.train import messages as msg

#: The pygame-gui theme: package data (``qwop_studio/resources.py``).
THEME_PATH = resources.theme_path()
#: The window's frame rate cap: the runner plays at 30 game frames/s; more would only take CPU from training.
FPS = 30
#: How long closing waits for the trainer to save and exit before ending it.
CLOSE_TIMEOUT_S = 60.0
BACKGROUND = look.COLOURS["window_background"]
TOOLBAR_BG, TOOLBAR_LINE = look.COLOURS["toolbar_background"], look.COLOURS["toolbar_line"]
TEXT, MUTED = look.TEXT, look.MUTED


class StudioApp:
    """The studio window. ``run()`` is the blocking loop; tests drive :meth:`frame` themselves.

    ``clock`` (seconds, monotonic) times the runner's takeover and the sliders' debounce, so tests
    can inject one. ``overrides`` are config overrides for every run started (dotted keys).
    """

    def __init__(self, size: tuple[int, int] = DEFAULT_SIZE, config: str | None = None, resume: str | None = None,
                 runs_root: str | Path | None = None, clock: Callable[[], float] = time.monotonic,
                 models_dir: Path | None = MODELS_DIR, overrides: dict | None = None, fps: int = FPS) -> None:
        pygame.init()
        pygame.display.set_caption("QWOP Studio")
        self.screen = open_window(size)
        _set_minimum_size(MIN_SIZE)
        self.size = self.screen.get_size()
        self.manager = pygame_gui.UIManager(self.size, str(THEME_PATH))
        self.clock = clock
        self.fps = fps
        self.runs_root = runs_dir() if runs_root is None else Path(runs_root)  # new runs; "Open run…" starts here
        self.overrides = overrides
        self.fonts = look.Fonts()
        self.link = TrainerLink()
        self.runner = LiveRunner(clock=clock, models_dir=models_dir)
        self._weights_shown_for: str | None = None
        self.chart_data = ChartData()
        self.charts = [ChartView("reward"), ChartView("distance")]
        self.chart_menus: list[UIDropDownMenu] = []
        # the saves root's sweeps: each study's best config joins the picker
        self.toolbar = toolbar.Toolbar(self.manager, config_choices.config_names(),
                                       config or config_choices.default_config(), self.runs_root,
                                       config_choices.sweep_best_configs(self.runs_root.parent / SWEEPS))
        self.status = status_card.StatusCard(self.manager, self.fonts)
        self.sliders = sliders.RewardSliders(self.manager, self.fonts, clock=clock)
        self.manual_button: UIButton | None = None
        self.teach_button: UIButton | None = None
        self.reset_button: UIButton | None = None
        self.confirm_dialog: UIConfirmationDialog | None = None
        self.file_dialog: UIFileDialog | None = None
        self.running = True
        self.closing = False
        self._closing_since = 0.0
        self._last_request: StartRequest | None = None
        self.frames = 0
        self.rects: dict[str, pygame.Rect] = {}
        self._bg: pygame.Surface | None = None
        self.layout(self.size)
        if resume:
            self.toolbar.set_resume_run(Path(resume))
            self.start_training()

    # ----------------------------------------------------------------------------- layout
    def layout(self, size: tuple[int, int]) -> None:
        """Place every widget for a window of ``size`` (widgets are rebuilt; state is kept)."""
        self.size = size
        self.manager.set_window_resolution(size)
        self.rects = r = compute_layout(size)
        self._bg = None
        tb = r["toolbar"]
        self.toolbar.layout(tb)
        self.status.layout(r["status"])
        self.sliders.layout(r["sliders"])
        for e in [self.manual_button, self.teach_button, self.reset_button, *self.chart_menus]:
            if e is not None:
                e.kill()
        run = r["runner"]
        self.reset_button = UIButton(pygame.Rect(run.right - 10 - 92, run.top + 5, 92, 28), "Reset (R)", self.manager,
                                     tool_tip_text="Start the runner's game again")
        self.manual_button = UIButton(pygame.Rect(run.right - 10 - 92 - 8 - 136, run.top + 5, 136, 28),
                                      self._manual_text(), self.manager,
                                      tool_tip_text="Play yourself; the agent does not take over")
        self.teach_button = UIButton(pygame.Rect(self.manual_button.relative_rect.left - 8 - 110, run.top + 5, 110, 28),
                                     self._teach_text(), self.manager,
                                     tool_tip_text="Teaching on: your takeovers become demonstrations the agent "
                                                   "learns from, and recordings in the run folder")
        titles = [spec.title for spec in CHARTS.values()]
        self.chart_menus = []
        for i, view in enumerate(self.charts):
            rect = r[f"chart{i}"]
            menu = UIDropDownMenu(titles, CHARTS[view.key].title, pygame.Rect(rect.left + 6, rect.top + 5, 210, 28),
                                  self.manager, object_id="#chart_menu")
            self.chart_menus.append(menu)

    def _manual_text(self) -> str:
        return "Manual play: on" if self.runner.manual_play else "Manual play: off"

    def _teach_text(self) -> str:
        return "Teach: on" if self.runner.teacher.enabled else "Teach: off"

    # ----------------------------------------------------------------------------- events
    def handle_event(self, event: pygame.event.Event) -> None:
        """One pygame or pygame-gui event."""
        self.manager.process_events(event)
        if event.type == pygame.QUIT:
            self.request_quit(ask=False)
        elif event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            surface = pygame.display.get_surface()
            size = surface.get_size() if surface is not None else (event.w, event.h)
            if size != self.size:
                self.layout(size)
        elif event.type == pygame.KEYDOWN:
            self._key_down(event)
        elif event.type in (pygame.KEYUP, pygame.WINDOWFOCUSLOST):
            self.runner.handle_event(event)
        elif event.type >= pygame.USEREVENT:
            self._ui_event(event)

    def _dialog_open(self) -> bool:
        return (self.file_dialog is not None and self.file_dialog.alive()) or \
            (self.confirm_dialog is not None and self.confirm_dialog.alive())

    def _key_down(self, event: pygame.event.Event) -> None:
        ctrl = bool(event.mod & (pygame.KMOD_CTRL | pygame.KMOD_META))
        if event.key == pygame.K_ESCAPE:
            if self.confirm_dialog is not None and self.confirm_dialog.alive():
                self.confirm_dialog.kill()
                self.confirm_dialog = None
            elif self.file_dialog is not None and self.file_dialog.alive():
                self.file_dialog.kill()
                self.file_dialog = None
            else:
                self.request_quit(ask=True)
            return
        if self._dialog_open():
            return
        if ctrl and event.key == pygame.K_s:
            self.link.save_checkpoint()
        elif event.key == pygame.K_SPACE and not ctrl:
            self.toggle_pause()
        else:
            self.runner.handle_event(event)

    def _ui_event(self, event: pygame.event.Event) -> None:
        intent = self.toolbar.process_event(event, self.link) or self.status.process_event(event)
        if intent is not None:
            self.do(intent)
            return
        self.sliders.process_event(event)
        el = getattr(event, "ui_element", None)
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if el is self.manual_button:
                self.runner.set_manual_play(not self.runner.manual_play)
                self.manual_button.set_text(self._manual_text())
            elif el is self.teach_button:
                self.runner.teacher.enabled = not self.runner.teacher.enabled
                self.teach_button.set_text(self._teach_text())
            elif el is self.reset_button:
                self.runner.reset()
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and el in self.chart_menus:
            key = next(k for k, spec in CHARTS.items() if spec.title == event.text)
            self.charts[self.chart_menus.index(el)].select(key)
        elif event.type == pygame_gui.UI_CONFIRMATION_DIALOG_CONFIRMED and el is self.confirm_dialog:
            self.confirm_dialog = None
            self.begin_close()
        elif event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and el is self.file_dialog:
            self.file_dialog = None
            self.toolbar.set_resume_run(Path(event.text))
        elif event.type == pygame_gui.UI_WINDOW_CLOSE:
            if el is self.confirm_dialog:
                self.confirm_dialog = None
            elif el is self.file_dialog:
                self.file_dialog = None

    # ----------------------------------------------------------------------------- actions
    def do(self, intent: intents.Intent) -> None:
        """Carry out what a control asked for."""
        if intent == intents.START:
            self.start_training()
        elif intent == intents.PAUSE:
            self.link.pause()
        elif intent == intents.RESUME:
            self.link.resume()
        elif intent == intents.CHECKPOINT:
            self.link.save_checkpoint()
        elif intent == intents.STOP:
            self.link.stop()
        elif intent == intents.RESUME_DEAD:
            self.resume_after_death()
        elif intent == intents.OPEN_RUN:
            self.open_run_dialog()

    def start_training(self, request: StartRequest | None = None) -> None:
        """Start a trainer for the toolbar's choice (or ``request``); never blocks."""
        if self.link.active:
            return
        if request is None:
            config, resume = self.toolbar.choice()
            request = StartRequest(config=config, resume=resume, runs_root=str(self.runs_root),
                                   overrides=self.overrides)
        self._last_request = request
        self.chart_data.clear()
        self.status.progress = status_card.Progress()
        self.link.start(request)

    def resume_after_death(self) -> None:
        """After the trainer died: resume its run from the latest checkpoint, or start it again."""
        target = self.link.resume_target()
        if target is not None:
            self.start_training(StartRequest(resume=str(target), runs_root=str(self.runs_root),
                                             overrides=self.overrides))
        elif self._last_request is not None:
            self.start_training(self._last_request)

    def toggle_pause(self) -> None:
        if self.link.state == LinkState.PAUSED:
            self.link.resume()
        elif self.link.state == LinkState.RUNNING:
            self.link.pause()

    def open_run_dialog(self) -> None:
        if self.file_dialog is not None and self.file_dialog.alive():
            return
        start = self.runs_root if self.runs_root.is_dir() else Path.cwd()
        w, h = self.size
        self.file_dialog = UIFileDialog(pygame.Rect(w // 2 - 260, h // 2 - 220, 520, 440), self.manager,
                                        window_title="Open a run directory to resume",
                                        initial_file_path=str(start.resolve()), allow_picking_directories=True,
                                        allow_existing_files_only=True)

    def request_quit(self, ask: bool = True) -> None:
        """Quit; while training runs and ``ask``, a confirmation dialog asks first."""
        if self.closing:
            return
        if ask and self.link.active:
            if self.confirm_dialog is None or not self.confirm_dialog.alive():
                w, h = self.size
                self.confirm_dialog = UIConfirmationDialog(
                    pygame.Rect(w // 2 - 230, h // 2 - 110, 460, 220),
                    "Training is running. Quit QWOP Studio? The trainer saves a checkpoint and the final model "
                    "before it stops.", self.manager, window_title="Quit while training?", action_short_name="Quit")
            return
        self.begin_close()

    def begin_close(self) -> None:
        """Stop the trainer (it saves) and end the loop once it has; at once if there is none."""
        self.closing = True
        self._closing_since = time.monotonic()
        if self.link.active:
            self.link.stop()
        else:
            self.running = False

    # ----------------------------------------------------------------------------- time
    def update(self, dt_s: float) -> None:
        """Everything that moves: trainer events, sliders, the runner, the widgets."""
        snapshot = None
        for event in self.link.poll():
            self.chart_data.add(event)
            self.status.progress.add(event)
            self.sliders.add(event)
            self.runner.teacher.on_event(event)
            if isinstance(event, msg.PolicySnapshot):
                snapshot = event
        if snapshot is not None:
            self.runner.offer_snapshot(snapshot)
        training = self.link.state in (LinkState.RUNNING, LinkState.PAUSED)
        self.sliders.set_enabled(training)
        chosen = self.toolbar.choice()[0]
        if not training and chosen is not None and chosen != self._weights_shown_for:
            self._show_config_weights(chosen)
        changes = self.sliders.due_changes()
        if changes:
            self.link.set_reward_weights(changes)
        self.toolbar.sync(self.link)
        self.status.sync(self.link)
        if self.manual_button is not None and self.manual_button.text != self._manual_text():
            self.manual_button.set_text(self._manual_text())
        self.runner.update(dt_s)
        for demonstrations in self.runner.teacher.take_messages():  # a finished takeover, teaching on
            self.link.send(demonstrations)
        if self.closing:
            if not self.link.active:
                self.running = False
            elif time.monotonic() - self._closing_since > CLOSE_TIMEOUT_S:
                self.link.terminate()
                self.running = False
        self.manager.update(dt_s)

    # ----------------------------------------------------------------------------- drawing
    def draw(self) -> None:
        s, r = self.screen, self.rects
        s.blit(self._background(), (0, 0))
        self._draw_runner_header(s, r["runner"])
        scene = r["scene"]
        if scene.w > 2 and scene.h > 2:
            self.runner.draw(s.subsurface(scene))
        for i, view in enumerate(self.charts):
            view.draw(s, r[f"chart{i}"].inflate(-2, -2), self.chart_data)
        self.status.draw(s, self.link, with_card=False)
        self.sliders.draw(s, with_card=False)
        if self.closing:
            self._draw_closing(s)
        self.manager.draw_ui(s)

    def _background(self) -> pygame.Surface:
        """Window background, toolbar and empty cards, drawn once per window size."""
        if self._bg is not None and self._bg.get_size() == self.size:
            return self._bg
        r, f = self.rects, self.fonts
        bg = self._bg = pygame.Surface(self.size).convert() if pygame.display.get_surface() else pygame.Surface(self.size)
        bg.fill(BACKGROUND)
        tb = r["toolbar"]
        bg.fill(TOOLBAR_BG, tb)
        pygame.draw.line(bg, TOOLBAR_LINE, tb.bottomleft, (tb.right, tb.bottom))
        look.draw_card(bg, r["runner"], "Live runner", f.title)
        for i in range(len(self.charts)):
            look.draw_card(bg, r[f"chart{i}"], None, f.title)
        self.status.draw_background(bg)
        self.sliders.draw_background(bg)
        return bg

    def _draw_runner_header(self, s: pygame.Surface, card: pygame.Rect) -> None:
        f = self.fonts
        who = self.runner.controller
        badge = f.render(f.badge, who, (255, 255, 255))
        b = badge.get_rect().inflate(16, 6)
        b.midleft = (card.left + 118, card.top + 19)
        pygame.draw.rect(s, CONTROLLER_COLOURS.get(who.upper(), MUTED), b, border_radius=b.h // 2)
        s.blit(badge, badge.get_rect(center=b.center))
        if self.runner.has_policy:
            step = self.runner.policy_step
            info = (f"policy from training step {step:,}" if self.runner.policy_source == "training"
                    else self.runner.policy_source)
            hint = "   ·   Q W O P to take over" if who == AGENT else ""
            room = (self.teach_button.rect.left - 8 if self.teach_button is not None else card.right) - b.right - 10
            info += hint if f.small.size(info + hint)[0] <= room else ""  # the hint only where it fits
        else:
            info = "no policy yet: play yourself, or start training"
        s.blit(f.render(f.small, info, MUTED), (b.right + 10, card.top + 11))

    def _draw_closing(self, s: pygame.Surface) -> None:
        veil = pygame.Surface(s.get_size(), pygame.SRCALPHA)
        veil.fill((10, 12, 18, 170))
        s.blit(veil, (0, 0))
        text = self.fonts.render(self.fonts.title, "Stopping training: saving a checkpoint and the final model…",
                                 TEXT)
        s.blit(text, text.get_rect(center=(s.get_width() // 2, s.get_height() // 2)))

    # ----------------------------------------------------------------------------- loop
    def _show_config_weights(self, name: str) -> None:
        """Before Start, the sliders show the chosen config's starting weights (not the defaults)."""
        self._weights_shown_for = name
        weights = config_choices.reward_weights_of(name)
        if weights is not None:
            self.sliders.set_weights(weights, confirmed=False)

    def frame(self, dt_s: float | None = None) -> None:
        """One frame: read events, update, draw, flip (``dt_s`` defaults to 1 / fps)."""
        for event in pygame.event.get():
            self.handle_event(event)
        self.update(1.0 / self.fps if dt_s is None else dt_s)
        self.draw()
        pygame.display.flip()
        self.frames += 1

    def run(self) -> int:
        """The window's loop, until quit (and the trainer has saved)."""
        pacer = FramePacer(self.fps)
        try:
            while self.running:
                dt_s = pacer.tick()
                self.frame(min(dt_s, 0.25))
        finally:
            self.shutdown()
        return 0

    def shutdown(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Make sure the trainer is stopped (it saves) and close the window."""
        if self.link.active:
            self.link.stop()
            deadline = time.monotonic() + timeout_s
            while self.link.active and time.monotonic() < deadline:
                self.link.poll()
                time.sleep(0.05)
            if self.link.active:
                self.link.terminate()
        self.link.close()
        pygame.display.quit()


def _set_minimum_size(size: tuple[int, int]) -> None:
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            pygame.Window.from_display_module().minimum_size = size
    except Exception:  # noqa: BLE001 - older pygame or a driver without windows: no minimum
        pass
