#!/usr/bin/python3
# A small GTK window that offers the files named on its command line as a
# drag source (text/uri-list), as a file manager does. The end-to-end test
# drags from it onto the Facteur window with xdotool, so the files arrive
# through the operating system's drag-and-drop, as a user's would.
import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

uris = [Path(p).resolve().as_uri() for p in sys.argv[1:]]

win = Gtk.Window(title="Fichiers")
button = Gtk.Button(label="Factures à déposer")
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()
button.connect("drag-data-get", lambda _w, _c, data, _i, _t: data.set_uris(uris))
win.add(button)
win.set_default_size(240, 120)
win.move(0, 0)
win.connect("destroy", Gtk.main_quit)
win.connect("map-event", lambda *_: print("ready", flush=True))
win.show_all()
Gtk.main()
