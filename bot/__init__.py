"""Report QA on Telegram: a thin python-telegram-bot application over ``qa.ReportQA``.

``bot.app`` builds and runs the application, ``bot.handlers`` turns updates into library
calls and replies (written by the library's Telegram back end, ``qa.present.TelegramHTML``),
``bot.settings`` reads the bot's configuration, ``bot.state`` holds its budgets and pending
passages. No retrieval, answering or wording lives here.
"""
