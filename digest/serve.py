"""`digest serve`: build, serve on 127.0.0.1, rebuild on save, reload the open tab.

The site is built into its own folder (ROOT/.digest-cache/serve) with the server's
address as base URL, so every link works at `/`. A watcher rebuilds when anything in
`content/` (articles, taxonomy, site.yaml) or the theme changes. Served HTML pages get
a small script that listens on `/__digest/events` (Server-Sent Events) and reloads the
page after each build; it exists only here, never in `digest build`'s output.

A failed build does not stop the server: every page then shows the problems (file,
line, message), and the next good save brings the site back.
"""

from __future__ import annotations

import html
import json
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import DigestError, Problem
from .project import Layout

EVENTS_PATH = "/__digest/events"
STATUS_PATH = "/__digest/status"
HEARTBEAT_SECONDS = 10.0

RELOAD_SCRIPT = """<script>/* digest serve: live reload */(function(){var seen=%d;
function connect(){var s=new EventSource("%s");s.addEventListener("build",function(e){
if(Number(e.data)!==seen){s.close();location.reload();}});}
if(window.EventSource)connect();})();</script>
"""


@dataclass(slots=True)
class BuildState:
    """The latest build: its number (the tab reloads when it changes) and problems."""

    generation: int = 0
    problems: list[Problem] = field(default_factory=list)
    summary: str = ""
    changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: bool = False

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


class DevServer:
    """The preview: an HTTP server, a watcher and the builds, started and stopped together."""

    def __init__(self, root: Path, port: int = 8000, drafts: bool = True,
                 out: Path | None = None, search: bool = False, host: str = "127.0.0.1",
                 log: Callable[[str], None] = print) -> None:
        self.root = root.resolve()
        self.layout = Layout(self.root)
        self.out = (out or self.layout.cache / "serve").resolve()
        self.drafts = drafts
        self.search = search
        self.log = log
        self.state = BuildState()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        handler = _handler_class(self)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.host = host
        self.port = int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def watched(self) -> list[Path]:
        """What a save in triggers a rebuild: the content (with site.yaml) and the theme."""
        return [p for p in (self.layout.content, self.layout.templates) if p.is_dir()]

    def rebuild(self) -> None:
        from .build import BuildOptions, build

        started = time.perf_counter()
        options = BuildOptions(root=self.root, out=self.out, drafts=self.drafts,
                               base_url=self.url, search=self.search)
        problems: list[Problem] = []
        summary = ""
        try:
            result = build(options)
            problems = list(result.warnings)
            summary = result.summary()
        except DigestError as exc:
            problems = list(exc.problems)
        except Exception as exc:  # a bug or an I/O error: show it, keep serving
            detail = "".join(traceback.format_exception(exc)).rstrip()
            problems = [Problem("(build)", 1, f"{type(exc).__name__}: {exc}", "error", detail)]
        with self.state.changed:
            self.state.problems = problems
            self.state.summary = summary
            self.state.generation += 1
            self.state.changed.notify_all()
        seconds = time.perf_counter() - started
        if self.state.ok:
            self.log(f"rebuilt in {seconds:.1f} s: {summary}")
        else:
            errors = [p for p in problems if p.severity == "error"]
            self.log(f"build failed ({len(errors)} error{'s' if len(errors) != 1 else ''}); "
                     "the browser shows them until the next good save:")
            for problem in errors:
                self.log("  " + problem.format().replace("\n", "\n  "))

    def _watch(self) -> None:
        import watchfiles

        paths = self.watched()
        if not paths:
            return
        for changes in watchfiles.watch(*paths, stop_event=self._stop, debounce=400, step=60,
                                        raise_interrupt=False):
            relevant = [path for _, path in changes if not self._is_output(Path(path))]
            if relevant and not self._stop.is_set():
                names = sorted({os.path.relpath(p, self.root) for p in relevant})
                self.log("changed: " + ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))
                self.rebuild()

    def _is_output(self, path: Path) -> bool:
        """The build's own files (the output and its temporary siblings) are not edits."""
        resolved = path.resolve()
        if resolved.is_relative_to(self.out):
            return True
        if resolved.is_relative_to(self.out.parent):
            first = resolved.relative_to(self.out.parent).parts[0]
            return first.startswith(f".{self.out.name}.")
        return False

    def start(self) -> None:
        """Build once, then serve and watch in background threads."""
        self.rebuild()
        for target in (self.httpd.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        with self.state.changed:
            self.state.stopping = True
            self.state.changed.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)


def serve(root: Path, port: int = 8000, drafts: bool = True, out: Path | None = None,
          search: bool = False) -> None:
    """Run the preview until Ctrl-C."""
    server = DevServer(root, port=port, drafts=drafts, out=out, search=search)
    if threading.current_thread() is threading.main_thread():
        # `kill` (SIGTERM) stops it as cleanly as Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
    server.start()
    print(f"serving {server.url} (watching {', '.join(_shown(p, server.root) for p in server.watched())}; "
          "Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("stopped", flush=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() + "/"
    except ValueError:
        return str(path)


def error_page(problems: list[Problem], generation: int) -> bytes:
    """The page every URL shows while the build is broken: each problem at its place."""
    errors = [p for p in problems if p.severity == "error"] or problems
    items = []
    for problem in errors:
        source = (f"<pre>{html.escape(problem.source_line)}</pre>"
                  if problem.source_line.strip() else "")
        items.append(
            f'<li><p><code class="where">{html.escape(problem.path)}:{problem.line}</code> '
            f"{html.escape(problem.message)}</p>{source}</li>")
    count = len(errors)
    body = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed — digest serve</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 0; background: #fff7f5; color: #1b1d21; }}
main {{ max-width: 52rem; margin: 0 auto; padding: 2rem 1rem; }}
h1 {{ color: #a4161a; font-size: 1.6rem; }}
li {{ margin: 0 0 1.25rem; }}
.where {{ font-weight: 700; background: #fde2dd; padding: .1rem .3rem; border-radius: 3px; }}
pre {{ background: #fff; border: 1px solid #f1c4bc; padding: .5rem .75rem; overflow-x: auto;
       white-space: pre-wrap; }}
@media (prefers-color-scheme: dark) {{
  body {{ background: #231615; color: #f1e7e5; }} h1 {{ color: #ff8f85; }}
  .where {{ background: #4a2522; }} pre {{ background: #1a1110; border-color: #5a302c; }}
}}
</style>
</head>
<body>
<main>
<h1>Build failed: {count} error{"s" if count != 1 else ""}</h1>
<p>Fix the file and save: this page reloads by itself when the site builds again.</p>
<ol class="problems">
{"".join(items)}
</ol>
</main>
{RELOAD_SCRIPT % (generation, EVENTS_PATH)}</body>
</html>
"""
    return body.encode("utf-8")


def inject_reload(page: bytes, generation: int) -> bytes:
    script = (RELOAD_SCRIPT % (generation, EVENTS_PATH)).encode("utf-8")
    index = page.rfind(b"</body>")
    if index < 0:
        return page + script
    return page[:index] + script + page[index:]


def _handler_class(server: DevServer) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(server.out), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            return  # the terminal shows builds, not every request

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == EVENTS_PATH:
                self._events()
                return
            if path == STATUS_PATH:
                state = server.state
                self._send(HTTPStatus.OK, "application/json", json.dumps(
                    {"generation": state.generation, "ok": state.ok,
                     "problems": [p.format() for p in state.problems]}).encode("utf-8"))
                return
            if not self._html_request(path):
                super().do_GET()
                return
            generation = server.state.generation
            if not server.state.ok:
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8",
                           error_page(server.state.problems, generation))
                return
            target = self._file_for(path)
            if target is None:
                if (server.out / unquote(path).lstrip("/")).is_dir():
                    super().do_GET()  # "/timeline" -> redirect to "/timeline/"
                    return
                missing = server.out / "404.html"
                body = missing.read_bytes() if missing.is_file() else b"<p>Not found</p>"
                self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8",
                           inject_reload(body, generation))
                return
            self._send(HTTPStatus.OK, "text/html; charset=utf-8",
                       inject_reload(target.read_bytes(), generation))

        def _html_request(self, path: str) -> bool:
            last = path.rsplit("/", 1)[-1]
            return path.endswith("/") or last.endswith(".html") or "." not in last

        def _file_for(self, path: str) -> Path | None:
            relative = unquote(path).lstrip("/")
            if relative == "" or relative.endswith("/"):
                relative += "index.html"
            target = (server.out / relative).resolve()
            if not target.is_relative_to(server.out) or not target.is_file():
                return None
            return target

        def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            path = urlsplit(self.path).path
            if path in (EVENTS_PATH, STATUS_PATH) or not self._html_request(path):
                super().do_HEAD()  # static files: headers only, from the base class
                return
            self.do_GET()  # pages: _send() leaves the body out for HEAD

        def _events(self) -> None:
            """Server-Sent Events: the build number now, then after every build."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "keep-alive")
            self.end_headers()
            self.close_connection = True
            state = server.state
            sent = -1
            try:
                while True:
                    with state.changed:
                        if state.generation == sent and not state.stopping:
                            state.changed.wait(HEARTBEAT_SECONDS)
                        if state.stopping:
                            return
                        generation = state.generation
                    if generation != sent:
                        self.wfile.write(f"event: build\ndata: {generation}\n\n".encode())
                        sent = generation
                    else:
                        self.wfile.write(b": heartbeat\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    return Handler
