"""Drawing a game state: one renderer (:mod:`qwop_studio.render.scene`) for every view.

Importing this package imports nothing heavy; import ``qwop_studio.render.scene`` for the API
(``draw_game``, ``render_rgb_array``, ``HumanWindow``, ``Overlay``). It needs pygame, never RL.
"""
