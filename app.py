"""政策问答助手 — run the browser app: ``python app.py [--host 127.0.0.1] [--port 7860] [--backend extractive] …``

The app itself is `assistant.serving.web` (put together in `web.app`); this file is only its entry point.
"""
import sys

from assistant.serving.web.app import main

if __name__ == "__main__":
    sys.exit(main())
