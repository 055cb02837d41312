"""Report QA on Telegram: a thin python-telegram-bot application over ``qa.Retriever``.

``bot.app`` builds and runs the application, ``bot.handlers`` turns updates into library
calls and replies, ``bot.render`` writes answers as Telegram HTML, ``bot.texts`` holds the
bot's own words, ``bot.state`` its in-memory budgets and pending passages. No retrieval
logic lives here.
"""
