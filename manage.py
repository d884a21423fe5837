#!/usr/bin/env python
"""Django's command-line entry point. `platform/` holds the project's packages but is not itself a
package (it would hide the standard library's `platform` module), so it goes on sys.path here."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "platform"))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
