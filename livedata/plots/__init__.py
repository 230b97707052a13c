"""The Panel plot server (``livedata plots``): live 2D views on grid templates.

A client of ``livedata.control`` like the console (D5-D7): one background
thread feeds every browser session (D15), plotters compute once per new data,
presenters render per session (D2-D4). Panel and Bokeh are imported only by
``server``, ``page`` and ``presenters``; the rest is testable without them.
"""
