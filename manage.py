#!/usr/bin/env python
"""Django's command-line utility. Configuration errors print one line and exit 2."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured

    if sys.argv[1:2] == ["qcluster"]:
        # The cluster's sentinel and workers die with the process that forked them: a killed
        # cluster main process leaves no orphans (config/process_guard.py).
        from config.process_guard import children_die_with_parent

        children_die_with_parent()
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
