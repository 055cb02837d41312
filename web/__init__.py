"""Report QA in a browser and over HTTP: ``qa serve`` (see :mod:`web.app`).

A thin face like the bot: routes that call ``qa``'s public API and render through
``qa.present`` — the page through ``qa.present.html``, the JSON API through
``qa.present.as_json``. Needs the ``web`` extra: ``pip install 'report-qa[web]'``.
"""
