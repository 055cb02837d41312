"""``python -m bot``: run the Telegram bot (see :mod:`bot.app`)."""

import sys

from bot.app import main

sys.exit(main())
