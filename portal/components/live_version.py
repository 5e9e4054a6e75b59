"""A tiny poller: every second it asks "did anything change?" (portal.live) and, only when
the answer changes, tells the big components of the page to re-render. Unchanged polls are
answered 304 Not Modified by django-unicorn, so an idle page costs one index look-up per
second and no rendering."""

from __future__ import annotations

import re

from portal.components.base import StaffComponent
from portal.live import version_for
from portal.roles import Perm

TARGET = re.compile(r"^[a-z0-9-]{1,40}$")


class LiveVersionView(StaffComponent):
    _permission = Perm.VIEW
    scope: str = ""
    targets: str = ""  # comma-separated component names on the page to refresh
    interval: int = 1000
    version: str = ""

    def mount(self) -> None:
        self.interval = max(500, min(int(self.interval or 1000), 60_000))
        self.version = version_for(self.scope)

    def check(self) -> None:
        current = version_for(self.scope)
        if current == self.version:
            return
        self.version = current
        names = [t for t in self.targets.split(",") if TARGET.match(t)]
        if names:
            self.call("Unicorn.portalRefresh", *names)
