#!/usr/bin/python3
# A desktop notification server (org.freedesktop.Notifications, the service
# a Linux desktop runs) on the session bus named by DBUS_SESSION_BUS_ADDRESS.
# It prints "ready" once it owns the name, then each notification it receives
# as one JSON line, so the end-to-end test can read what Facteur announced.
import json

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

XML = """<node><interface name="org.freedesktop.Notifications">
<method name="Notify">
  <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
  <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
  <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/><arg type="u" direction="out"/>
</method>
<method name="GetCapabilities"><arg type="as" direction="out"/></method>
<method name="GetServerInformation">
  <arg type="s" direction="out"/><arg type="s" direction="out"/>
  <arg type="s" direction="out"/><arg type="s" direction="out"/>
</method>
<method name="CloseNotification"><arg type="u" direction="in"/></method>
<signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
<signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
</interface></node>"""

node = Gio.DBusNodeInfo.new_for_xml(XML)
count = 0


def call(_conn, _sender, _path, _iface, method, params, invocation):
    global count
    if method == "Notify":
        app, _replaces, _icon, summary, body = params.unpack()[:5]
        count += 1
        print(json.dumps({"app": app, "summary": summary, "body": body}), flush=True)
        invocation.return_value(GLib.Variant("(u)", (count,)))
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["body"],)))
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("test", "facteur", "1", "1.2")))
    else:
        invocation.return_value(None)


def acquired(conn, _name):
    conn.register_object("/org/freedesktop/Notifications", node.interfaces[0], call, None, None)


Gio.bus_own_name(
    Gio.BusType.SESSION,
    "org.freedesktop.Notifications",
    Gio.BusNameOwnerFlags.NONE,
    acquired,
    lambda *_: print("ready", flush=True),
    None,
)
GLib.MainLoop().run()
