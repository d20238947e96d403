#!/usr/bin/env python3
"""Siyu's real-browser test: drives headless Chromium through the console pages listed in a JSON plan.

    browser_test.py --base-url http://127.0.0.1:8080 --plan Tests/Browser/pages.json \
        --email demo@siyu.local --password siyu-demo \
        --viewer-email viewer@siyu.local --viewer-password siyu-demo --screenshots docs/screenshots
    browser_test.py --self-test          # against Tests/Browser/fake_console.py: proves the driver catches faults

What it checks is data (the plan; format in Tests/Browser/README.md): each page is opened in each language and
viewport it lists, and must load with HTTP 200 without bouncing to the login page, throw no JavaScript exception,
log no console or browser error, request nothing from another host, show its required elements (`svg`,
`table tbody tr`, ...) and non-zero numbers, say `<html lang>` in the language asked for, and — where asked — fit
its viewport without horizontal scrolling. Then forms posted without `_csrf` must be refused with 403, and a
viewer must neither see edit actions nor reach them (403). One line per check, PASS or FAIL with the reasons, a
summary, and exit status 1 on any failure.

Why the DevTools protocol over a websocket and not WebDriver: WebDriver (Debian's chromium-driver + Selenium)
can neither report uncaught JavaScript exceptions nor the HTTP status of a page, both of which this test is about,
and it adds a second binary that must match the browser's version and a heavier client. The DevTools protocol is
what the browser itself speaks: exceptions (`Runtime.exceptionThrown`), console and browser errors, document
responses with their status, device emulation and full-page screenshots are all first-class, and the only
dependency is the small pure-Python `websocket-client`. One browser is launched per run, with one browser
context (separate cookies) and one tab per login, and it is killed — its whole process group — however the run
ends.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

try:
    import websocket  # websocket-client, pinned in scripts/browser-requirements.txt
except ImportError:  # pragma: no cover - explained to the user
    sys.exit("browser_test.py needs websocket-client: pip install -r scripts/browser-requirements.txt "
             "(scripts/browser-test.sh does this in .test-env/browser-venv)")

REPO = Path(__file__).resolve().parent.parent


class TestFailure(Exception):
    """A check's failure, with the reasons."""


class BrowserError(Exception):
    """The browser could not be started or stopped answering."""


# ---------------------------------------------------------------------------------------------------------------
# The browser and the protocol


def find_chromium() -> str:
    chosen = os.environ.get("SIYU_CHROMIUM")
    if chosen:
        if os.access(chosen, os.X_OK):
            return chosen
        raise BrowserError(f"SIYU_CHROMIUM={chosen} is not an executable file")
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    raise BrowserError("no Chromium found: run scripts/browser-setup.sh (or set SIYU_CHROMIUM)")


def _prctl(option: int, value: int) -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(option, value)
    except Exception:
        pass


def _die_with_parent() -> None:
    """In the browser's child process before exec: get SIGKILL if this Python process dies (even by SIGKILL)."""
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Browser:
    """One headless Chromium, spoken to over its browser-level DevTools websocket with flattened sessions."""

    def __init__(self, binary: str, timeout: float = 30.0):
        self.binary = binary
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.profile = tempfile.mkdtemp(prefix="siyu-chromium-")
        self.ws = None
        self.next_id = 0
        self.responses: dict[int, dict] = {}
        self.tabs: dict[str, "Tab"] = {}
        self.version = ""
        self.user_agent = ""

    # -- life cycle --------------------------------------------------------------------------------------------

    def start(self) -> None:
        args = [
            self.binary,
            "--headless=new",
            # Chromium refuses to start as root with its sandbox, and CI runs as root; containers often lack the
            # user namespaces the sandbox needs anyway. The browser only loads our own pages from 127.0.0.1.
            "--no-sandbox",
            # Docker gives /dev/shm 64 MB by default, too small for a renderer: use /tmp instead.
            "--disable-dev-shm-usage",
            "--remote-debugging-port=0",  # any free port, written to DevToolsActivePort in the profile
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--password-store=basic",
            "--mute-audio",
            "--hide-scrollbars",  # screenshots without scrollbars; clientWidth is then the full viewport width
            "about:blank",
        ]
        # Renderers outlive the browser process by a moment; as a subreaper this process inherits and reaps them in
        # close() instead of leaving zombies to PID 1 (which, in a container, may never reap them).
        _prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
        log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, preexec_fn=_die_with_parent
        )
        log.close()
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + self.timeout
        while True:
            if self.process.poll() is not None:
                raise BrowserError(f"Chromium exited with status {self.process.returncode} at start:\n{self.log_tail()}")
            try:
                with open(port_file) as f:
                    lines = f.read().split("\n")
                if len(lines) >= 2 and lines[0].strip().isdigit() and lines[1].startswith("/devtools/"):
                    port, path = int(lines[0]), lines[1].strip()
                    break
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                raise BrowserError(f"Chromium did not open its DevTools port within {self.timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.05)
        # suppress_origin: Chromium rejects DevTools websocket connections that carry an Origin header it was not
        # told to allow (--remote-allow-origins); a client that sends none is accepted.
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=self.timeout, suppress_origin=True)
        info = self.send("Browser.getVersion")
        self.version = info.get("product", "")
        self.user_agent = info.get("userAgent", "")

    def log_tail(self, lines: int = 20) -> str:
        try:
            with open(os.path.join(self.profile, "chromium.log"), errors="replace") as f:
                # Without a D-Bus session Chromium logs D-Bus errors all the time; they are never the cause.
                return "".join([line for line in f if "dbus" not in line.lower()][-lines:])
        except OSError:
            return "(no log)"

    def close(self) -> None:
        """Stops the browser and everything it started, and removes its profile. Safe to call more than once."""
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:
                pass
            self.ws = None
        if self.process is not None:
            # No graceful Browser.close: the profile is thrown away, and SIGTERM makes Chromium quit at once.
            # Renderers and the zygote are in the browser's process group (start_new_session): end them all.
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=3)
                    break
                except subprocess.TimeoutExpired:
                    continue
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                pass
            try:  # anything of the group that shrugged off SIGTERM
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:  # reap the orphaned renderers (this process is their subreaper)
                try:
                    if os.waitpid(-1, os.WNOHANG) == (0, 0):
                        time.sleep(0.02)
                except ChildProcessError:
                    break
        shutil.rmtree(self.profile, ignore_errors=True)

    def group_alive(self, wait: float = 5.0) -> bool:
        """Whether any process of the browser's group still runs, after waiting up to `wait` seconds for them to go.

        Zombies do not count: killed renderers are reparented to PID 1, which reaps them when it gets round to it
        (or never, in a container whose init does not reap).
        """
        if self.process is None:
            return False
        deadline = time.monotonic() + wait
        while True:
            living = []
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) == self.process.pid and fields[0] != "Z":
                    living.append(int(entry))
            if not living or time.monotonic() > deadline:
                return bool(living)
            time.sleep(0.05)

    # -- protocol ------------------------------------------------------------------------------------------------

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + (timeout or self.timeout)
        while self.next_id not in self.responses:
            if not self.pump(deadline - time.monotonic()):
                raise BrowserError(f"no answer to {method} within {timeout or self.timeout:.0f} s")
        reply = self.responses.pop(self.next_id)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}".strip())
        return reply.get("result", {})

    def pump(self, timeout: float) -> bool:
        """Reads and dispatches one message; False when none came within `timeout` seconds."""
        if timeout <= 0:
            return False
        self.ws.settimeout(timeout)
        try:
            raw = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return False
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError) as error:
            raise BrowserError(f"the DevTools connection closed ({error}); Chromium log:\n{self.log_tail()}")
        message = json.loads(raw)
        if "id" in message:
            self.responses[message["id"]] = message
        else:
            tab = self.tabs.get(message.get("sessionId", ""))
            if tab is not None:
                tab.on_event(message["method"], message.get("params", {}))
        return True

    def wait(self, condition, timeout: float) -> bool:
        """Pumps events until `condition()` holds; False on timeout."""
        deadline = time.monotonic() + timeout
        while not condition():
            if not self.pump(deadline - time.monotonic()):
                return condition()
        return True

    def idle(self, seconds: float) -> None:
        """Lets `seconds` pass while still collecting events (errors thrown by timers land here)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.pump(deadline - time.monotonic())

    def new_tab(self, name: str) -> "Tab":
        context = self.send("Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
        target = self.send("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, name, context, target, session)
        self.tabs[session] = tab
        tab.setup()
        return tab


@dataclass
class Visit:
    """What one navigation produced."""

    url: str
    status: int | None = None
    final_url: str = ""
    elapsed_ms: int = 0


class Tab:
    """One page in its own browser context (its own cookies): one per login."""

    def __init__(self, browser: Browser, name: str, context: str, target: str, session: str):
        self.browser, self.name, self.context, self.target, self.session = browser, name, context, target, session
        self.frame = ""
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.documents: list[dict] = []
        self.loaded = False
        self.viewport: str | None = None
        self.accept_language: str | None = None

    def send(self, method: str, params: dict | None = None, timeout: float | None = None) -> dict:
        return self.browser.send(method, params, self.session, timeout)

    def setup(self) -> None:
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.frame = self.send("Page.getFrameTree")["frameTree"]["frame"]["id"]

    def reset(self) -> None:
        self.problems, self.requests, self.documents, self.loaded = [], [], [], False

    def on_event(self, method: str, p: dict) -> None:
        if method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = (d.get("exception") or {}).get("description") or d.get("text", "exception")
            where = f" ({d.get('url', '')}:{d.get('lineNumber', 0) + 1})" if d.get("url") else ""
            self.problems.append(f"JavaScript exception: {text.splitlines()[0]}{where}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            self.problems.append(f"console.{p['type']}: {args}")
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            self.problems.append(f"browser {e.get('source', '')} error: {e.get('text', '')} {e.get('url', '')}".rstrip())
        elif method == "Network.requestWillBeSent":
            self.requests.append(p.get("request", {}).get("url", ""))
        elif method == "Network.responseReceived" and p.get("type") == "Document" and p.get("frameId") == self.frame:
            self.documents.append(p.get("response", {}))
        elif method == "Page.loadEventFired":
            self.loaded = True
        elif method == "Page.frameStoppedLoading" and p.get("frameId") == self.frame:
            self.loaded = True  # also after error pages, where a load event is not guaranteed

    # -- navigation ----------------------------------------------------------------------------------------------

    def navigate(self, url: str, timeout: float = 30.0, settle: float = 0.3) -> Visit:
        self.reset()
        started = time.monotonic()
        result = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if result.get("errorText"):
            raise TestFailure(f"cannot open {url}: {result['errorText']}")
        return self._finish(Visit(url), started, timeout, settle)

    def submit(self, script: str, what: str, timeout: float = 30.0, settle: float = 0.2) -> Visit:
        """Runs `script` (which must submit a form) and waits for the page it leads to."""
        self.reset()
        started = time.monotonic()
        self.evaluate(script)
        return self._finish(Visit(what), started, timeout, settle)

    def _finish(self, visit: Visit, started: float, timeout: float, settle: float) -> Visit:
        if not self.browser.wait(lambda: self.loaded, timeout):
            raise TestFailure(f"{visit.url}: did not finish loading within {timeout:.0f} s")
        visit.elapsed_ms = int((time.monotonic() - started) * 1000)
        if self.documents:
            visit.status = self.documents[-1].get("status")
            visit.final_url = self.documents[-1].get("url", "")
        self.browser.idle(settle)
        return visit

    def evaluate(self, expression: str, timeout: float = 30.0):
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, timeout=timeout
        )
        if "exceptionDetails" in result:
            d = result["exceptionDetails"]
            raise TestFailure(f"evaluating in the page failed: {(d.get('exception') or {}).get('description') or d.get('text')}")
        return result.get("result", {}).get("value")

    def call(self, function: str, *args):
        return self.evaluate(f"({function})(...{json.dumps(list(args))})")

    # -- emulation -----------------------------------------------------------------------------------------------

    def set_viewport(self, name: str, spec: dict) -> None:
        if self.viewport == name:
            return
        mobile = bool(spec.get("mobile", False))
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": spec["width"], "height": spec["height"], "deviceScaleFactor": spec.get("scale", 1), "mobile": mobile},
        )
        self.send("Emulation.setTouchEmulationEnabled", {"enabled": mobile, "maxTouchPoints": 5 if mobile else 1})
        self.viewport = name

    def set_accept_language(self, language: str) -> None:
        if self.accept_language != language:
            self.send("Emulation.setUserAgentOverride", {"userAgent": self.browser.user_agent, "acceptLanguage": language})
            self.accept_language = language

    def cookies(self, url: str) -> list[dict]:
        return self.send("Network.getCookies", {"urls": [url]}).get("cookies", [])

    def screenshot(self, path: Path, max_height: int = 12000) -> tuple[int, int]:
        metrics = self.send("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        viewport = metrics.get("cssLayoutViewport") or metrics["layoutViewport"]
        width = max(int(viewport["clientWidth"]), 1)
        height = min(max(int(size["height"]), int(viewport["clientHeight"])), max_height)
        shot = self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,  # the whole page, not only what the viewport shows
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
            timeout=60,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return width, height


# ---------------------------------------------------------------------------------------------------------------
# In-page helpers (JavaScript run through Runtime.evaluate)

PAGE_FACTS_JS = r"""
(spec) => {
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const root = document.documentElement;
  const facts = {
    path: location.pathname, lang: root.lang || "", title: document.title,
    innerWidth: window.innerWidth, clientWidth: root.clientWidth, scrollWidth: root.scrollWidth,
    bodyScrollWidth: document.body ? document.body.scrollWidth : 0,
    text: document.body ? document.body.innerText.slice(0, 20000) : "",
    require: [], nonzero: [], absent: [], overflow: [],
  };
  for (const r of spec.require) {
    const all = [...document.querySelectorAll(r.selector)];
    facts.require.push({selector: r.selector, total: all.length, visible: all.filter(visible).length});
  }
  for (const n of spec.nonzero) {
    const re = new RegExp(n.pattern);
    const texts = [...document.querySelectorAll(n.selector)].map((e) => (e.textContent || "").replace(/\s+/g, " ").trim());
    facts.nonzero.push({selector: n.selector, total: texts.length, matching: texts.filter((t) => re.test(t)).length,
                        sample: texts.slice(0, 4)});
  }
  for (const s of spec.absent) {
    const all = [...document.querySelectorAll(s)];
    facts.absent.push({selector: s, total: all.length, sample: all.slice(0, 2).map((e) => e.outerHTML.slice(0, 120))});
  }
  if (spec.overflow) {
    // The outermost elements reaching past the right edge: what the page's author has to fix.
    const limit = root.clientWidth + 0.5;
    const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
      (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\s+/).join(".") : "");
    const found = [];
    for (const e of document.querySelectorAll("body *")) {
      const r = e.getBoundingClientRect();
      if (r.right > limit && r.width > 0 && !found.some((f) => f.contains(e))) found.push(e);
      if (found.length >= 3) break;
    }
    facts.overflow = found.map((e) => `${describe(e)} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
  }
  return facts;
}
"""

LOGIN_FORM_JS = r"""
(fields) => {
  const form = [...document.forms].find((f) => f.querySelector(`[name="${fields.password}"]`));
  if (!form) return {error: "no form with a password field"};
  const csrf = form.querySelector(`[name="${fields.csrf}"]`);
  if (!csrf || !csrf.value) return {error: `the login form has no ${fields.csrf} value`};
  const set = (name, value) => {
    const input = form.querySelector(`[name="${name}"]`);
    if (!input) return false;
    input.focus(); input.value = value;
    input.dispatchEvent(new Event("input", {bubbles: true})); input.dispatchEvent(new Event("change", {bubbles: true}));
    return true;
  };
  if (!set(fields.email, fields.emailValue)) return {error: `no ${fields.email} field`};
  set(fields.password, fields.passwordValue);
  return {ok: true};
}
"""

# Submits like a person pressing the button: the form's own submit handlers run, validation included.
LOGIN_SUBMIT_JS = r"""
(() => {
  const form = [...document.forms].find((f) => f.querySelector('input[type="password"]'));
  if (form.requestSubmit) form.requestSubmit(); else form.submit();
})()
"""

# Fills a form, removes its CSRF field and posts it with the plain HTMLFormElement.submit, which no page script can
# intercept to put the token back: what a forged cross-site form or a stale tab sends.
STRIPPED_FORM_JS = r"""
(spec) => {
  const form = document.querySelector(spec.form);
  if (!form) return {error: `no form matches ${spec.form}`};
  if ((form.method || "get").toLowerCase() !== "post") return {error: `the form ${spec.form} is not method=post`};
  const tokens = form.querySelectorAll(`[name="${spec.csrf}"]`);
  if (!tokens.length) return {error: `the form ${spec.form} has no ${spec.csrf} field (every form must carry one)`};
  for (const [name, value] of Object.entries(spec.fill)) {
    const input = form.querySelector(`[name="${name}"]`);
    if (!input) return {error: `the form has no field ${name}`};
    input.value = value;
  }
  tokens.forEach((t) => t.remove());
  setTimeout(() => HTMLFormElement.prototype.submit.call(form), 0);
  return {ok: true, action: form.action};
}
"""

# Builds and posts a form to `action` carrying the page's CSRF token: a real, well-formed request, so that a 403
# can only come from the role check.
FORGED_ACTION_JS = r"""
(spec) => {
  const source = document.querySelector(`input[name="${spec.csrf}"]`) || document.querySelector('meta[name="csrf-token"]');
  const token = source ? (source.value || source.content || "") : "";
  const form = document.createElement("form");
  form.method = "post"; form.action = spec.action;
  const fields = Object.assign({}, spec.fill, token ? {[spec.csrf]: token} : {});
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value; form.appendChild(input);
  }
  document.body.appendChild(form);
  setTimeout(() => HTMLFormElement.prototype.submit.call(form), 0);
  return {ok: true, token: !!token};
}
"""

# Fills a form and presses its submit button as a person would (requestSubmit runs the form's own handlers and sends
# the pressed button's name and value, e.g. status=done), keeping the page's CSRF token.
ACTION_FORM_JS = r"""
(spec) => {
  const form = document.querySelector(spec.form);
  if (!form) return {error: `no form matches ${spec.form}`};
  for (const [name, value] of Object.entries(spec.fill)) {
    const input = form.querySelector(`[name="${name}"]`);
    if (!input) return {error: `the form has no field ${name}`};
    input.value = value;
  }
  const button = spec.submit ? form.querySelector(spec.submit) : null;
  if (spec.submit && !button) return {error: `the form has no button ${spec.submit}`};
  setTimeout(() => { if (form.requestSubmit) form.requestSubmit(button || undefined); else form.submit(); }, 0);
  return {ok: true, action: form.action};
}
"""

FIRST_LINK_JS = r"""
(selector) => { const a = document.querySelector(selector); return a ? a.getAttribute("href") : null; }
"""


# ---------------------------------------------------------------------------------------------------------------
# The plan runner


@dataclass
class Outcome:
    passed: int = 0
    failed: list[str] = field(default_factory=list)


class Runner:
    def __init__(self, browser: Browser, plan: dict, args: argparse.Namespace):
        self.browser, self.plan, self.args = browser, plan, args
        self.base = args.base_url.rstrip("/")
        self.host = urllib.parse.urlsplit(self.base).netloc
        self.tabs: dict[str, Tab] = {}
        self.broken: dict[str, str] = {}
        self.outcome = Outcome()
        self.screens = Path(args.screenshots) if args.screenshots else None
        self.viewports = plan.get("viewports") or {
            "desktop": {"width": 1440, "height": 900, "scale": 1, "mobile": False},
            "phone": {"width": 390, "height": 844, "scale": 2, "mobile": True},
        }
        self.login = {
            "path": "/console/login", "email_field": "email", "password_field": "password",
            "csrf_field": "_csrf", "session_cookie": "siyu_session", **plan.get("login", {}),
        }
        self.language = {"mode": "query", "param": "lang", "check_html_lang": True, **plan.get("language", {})}
        self.defaults = {"languages": ["zh-CN", "en"], "viewports": ["desktop"], "settle_ms": 300, **plan.get("defaults", {})}
        self.accounts = {
            "user": (args.email, args.password),
            "viewer": (args.viewer_email, args.viewer_password),
        }
        self.only = re.compile(args.only) if args.only else None
        # Known, accepted browser messages (regular expressions); everything else logged as an error fails the page.
        self.ignored = [re.compile(x) for x in plan.get("ignore_errors", [])]

    # -- reporting -----------------------------------------------------------------------------------------------

    def report(self, name: str, problems: list[str], detail: str = "", expect_fail: str | None = None) -> None:
        if expect_fail is not None:
            caught = [p for p in problems if re.search(expect_fail, p)]
            if caught:
                problems, detail = [], f"fault caught as expected: {caught[0]}"
            elif problems:
                problems = [f"expected a failure matching /{expect_fail}/ but got: " + "; ".join(problems)]
            else:
                problems = [f"expected a failure matching /{expect_fail}/ but the check passed ({detail})"]
        if problems:
            self.outcome.failed.append(name)
            print(f"FAIL  {name}: " + "; ".join(problems), flush=True)
        else:
            self.outcome.passed += 1
            print(f"PASS  {name}" + (f": {detail}" if detail else ""), flush=True)

    def check(self, name: str, expect_fail: str | None, body) -> None:
        """Runs `body() -> (problems, detail)`, turning TestFailure and browser errors into a FAIL line."""
        try:
            problems, detail = body()
        except TestFailure as failure:
            problems, detail = [str(failure)], ""
        self.report(name, problems, detail, expect_fail)

    # -- helpers -------------------------------------------------------------------------------------------------

    def url(self, path: str, language: str | None = None) -> str:
        url = path if path.startswith(("http://", "https://")) else self.base + path
        if language and self.language["mode"] == "query":
            parts = urllib.parse.urlsplit(url)
            query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            query = [(k, v) for k, v in query if k != self.language["param"]] + [(self.language["param"], language)]
            url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
        return url

    def prepare_language(self, tab: Tab, language: str | None) -> None:
        if not language:
            return
        mode = self.language["mode"]
        if mode == "cookie":
            tab.send("Network.setCookie", {"name": self.language.get("cookie", "lang"), "value": language, "url": self.base})
        elif mode == "header":
            tab.set_accept_language(language)

    def substitute(self, values: dict) -> dict:
        names = {
            "email": self.args.email, "password": self.args.password,
            "viewer_email": self.args.viewer_email, "viewer_password": self.args.viewer_password,
        }
        return {k: re.sub(r"\{(\w+)\}", lambda m: names.get(m.group(1), m.group(0)), str(v)) for k, v in values.items()}

    def errors(self, tab: Tab) -> list[str]:
        return [p for p in tab.problems if not any(x.search(p) for x in self.ignored)]

    def on_login_page(self, path: str) -> bool:
        return path.rstrip("/") == self.login["path"].rstrip("/")

    def tab(self, role: str) -> Tab:
        """The tab for `role` ("user", "viewer" or "anonymous"), logged in on first use (and tried only once)."""
        if role in self.broken:
            raise TestFailure(self.broken[role])
        if role not in self.tabs:
            if role != "anonymous" and role not in self.accounts:
                raise TestFailure(f'unknown role "{role}" (user, viewer or anonymous)')
            tab = self.browser.new_tab(role)
            tab.set_viewport("desktop", self.viewports["desktop"])
            if self.plan.get("timezone"):  # what page scripts see as local time, e.g. the workspace's Asia/Shanghai
                tab.send("Emulation.setTimezoneOverride", {"timezoneId": self.plan["timezone"]})
            if role != "anonymous":
                try:
                    self.log_in(tab, role)
                except TestFailure as failure:
                    self.broken[role] = str(failure)
                    raise
            self.tabs[role] = tab
        return self.tabs[role]

    def log_in(self, tab: Tab, role: str) -> None:
        email, password = self.accounts[role]
        name = f"login as {role} ({email})"
        if not email:
            self.report(name, [f"no {role} email given"])
            raise TestFailure(f"cannot log in as {role}")
        problems: list[str] = []
        detail = ""
        try:
            form = self.login
            visit = tab.navigate(self.url(form["path"]))
            if visit.status != 200:
                raise TestFailure(f"the login page answered {visit.status}")
            filled = tab.call(LOGIN_FORM_JS, {
                "email": form["email_field"], "password": form["password_field"], "csrf": form["csrf_field"],
                "emailValue": email, "passwordValue": password,
            })
            if filled.get("error"):
                raise TestFailure(filled["error"])
            visit = tab.submit(LOGIN_SUBMIT_JS, "login")
            path = urllib.parse.urlsplit(visit.final_url).path
            if visit.status != 200:
                problems.append(f"after posting the form the page answered {visit.status} ({visit.final_url})")
            if self.on_login_page(path):
                problems.append("still on the login page after posting the form (wrong credentials?)")
            cookie = next((c for c in tab.cookies(self.base) if c["name"] == form["session_cookie"]), None)
            if cookie is None:
                problems.append(f"no {form['session_cookie']} cookie was set")
            else:
                if not cookie.get("httpOnly"):
                    problems.append(f"{form['session_cookie']} is not HttpOnly")
                if cookie.get("sameSite") not in ("Lax", "Strict"):
                    problems.append(f"{form['session_cookie']} has SameSite={cookie.get('sameSite')} (Lax expected)")
            problems += self.errors(tab)
            detail = f"landed on {path} ({visit.elapsed_ms} ms); {form['session_cookie']} HttpOnly SameSite={cookie and cookie.get('sameSite')}"
        except TestFailure as failure:
            problems.append(str(failure))
        self.report(name, problems, detail)
        if problems:
            raise TestFailure(f"cannot log in as {role}")

    # -- checks --------------------------------------------------------------------------------------------------

    def visit_page(self, tab: Tab, page: dict, path: str, language: str | None, viewport: str) -> tuple[list[str], str]:
        spec = self.viewports[viewport]
        tab.set_viewport(viewport, spec)
        self.prepare_language(tab, language)
        visit = tab.navigate(self.url(path, language), settle=page.get("settle_ms", self.defaults["settle_ms"]) / 1000)
        problems: list[str] = []
        expected = page.get("status", 200)
        if visit.status != expected:
            problems.append(f"HTTP {visit.status} (expected {expected}) for {visit.final_url or visit.url}")
        require = [r if isinstance(r, dict) else {"selector": r} for r in page.get("require", [])]
        nonzero = [n if isinstance(n, dict) else {"selector": n} for n in page.get("nonzero", [])]
        for n in nonzero:
            n.setdefault("pattern", "[1-9]")
        fit = viewport in page.get("fit", [])
        facts = tab.call(PAGE_FACTS_JS, {"require": require, "nonzero": nonzero, "absent": page.get("absent", []), "overflow": fit})
        if self.on_login_page(facts["path"]) and not self.on_login_page(path):
            problems.append("bounced to the login page (session lost?)")
        for want, got in zip(require, facts["require"]):
            least = want.get("min", 1)
            count = got["visible"] if want.get("visible", True) else got["total"]
            if count < least:
                shown = f"{got['visible']} visible of {got['total']}" if want.get("visible", True) else f"{got['total']}"
                problems.append(f"`{want['selector']}`: {shown}, at least {least} expected")
        for want, got in zip(nonzero, facts["nonzero"]):
            least = want.get("min", 1)
            if got["total"] == 0:
                problems.append(f"`{want['selector']}`: no such element to read a number from")
            elif want.get("all") and got["matching"] < got["total"]:
                problems.append(f"`{want['selector']}`: {got['total'] - got['matching']} of {got['total']} show no non-zero number, e.g. {got['sample']}")
            elif got["matching"] < least:
                problems.append(f"`{want['selector']}`: {got['matching']} of {got['total']} show a non-zero number (/{want['pattern']}/), e.g. {got['sample']}")
        for got in facts["absent"]:
            if got["total"]:
                problems.append(f"`{got['selector']}` must be absent but {got['total']} found: {got['sample'][0]}")
        if language and self.language.get("check_html_lang", True):
            if not facts["lang"].lower().startswith(language.split("-")[0].lower()):
                problems.append(f'<html lang="{facts["lang"]}"> for language {language}')
        text_pattern = (self.language.get("text") or {}).get(language or "")
        if text_pattern and not re.search(text_pattern, facts["text"]):
            problems.append(f"no text matching /{text_pattern}/ in the {language} page (untranslated?)")
        if spec.get("mobile") and facts["innerWidth"] != spec["width"]:
            problems.append(
                f"laid out {facts['innerWidth']} px wide on a {spec['width']} px phone: "
                '<meta name="viewport" content="width=device-width, initial-scale=1"> missing?'
            )
        if fit and max(facts["scrollWidth"], facts["bodyScrollWidth"]) > facts["clientWidth"]:
            problems.append(
                f"scrolls horizontally at {spec['width']} px: scrollWidth {max(facts['scrollWidth'], facts['bodyScrollWidth'])} "
                f"> clientWidth {facts['clientWidth']}; past the edge: {', '.join(facts['overflow']) or '?'}"
            )
        external = [u for u in tab.requests if urllib.parse.urlsplit(u).scheme in ("http", "https", "ws", "wss")
                    and urllib.parse.urlsplit(u).netloc != self.host]
        if external:
            problems.append(f"loads from another host (pages must need nothing from the internet): {external[:3]}")
        problems += self.errors(tab)
        detail = [f"{visit.status} in {visit.elapsed_ms} ms"]
        detail += [f"{g['visible']}× {g['selector']}" for g in facts["require"]]
        if nonzero:
            detail.append("numbers " + ", ".join(f"{g['matching']}/{g['total']}" for g in facts["nonzero"]))
        if fit:
            detail.append(f"fits {facts['clientWidth']} px")
        detail.append("no JS errors")
        shot = page.get("screenshot")
        if shot and not problems and self.screens is not None:
            # One file per language only when the name has {lang}, one per viewport only when it has {viewport}.
            if ("{lang}" in shot or language == page["_languages"][0]) and ("{viewport}" in shot or viewport == page["_viewports"][0]):
                target = self.screens / shot.format(lang=language or "", viewport=viewport)
                width, height = tab.screenshot(target)
                detail.append(f"screenshot {target} ({width}×{height})")
        return problems, ", ".join(detail)

    def run_pages(self) -> None:
        for page in self.plan.get("pages", []):
            if self.only and not self.only.search(page["name"]):
                continue
            role = page.get("as", "user")
            languages = page.get("languages", self.defaults["languages"]) or [None]
            viewports = page.get("viewports", self.defaults["viewports"])
            page["_languages"], page["_viewports"] = languages, viewports
            try:
                tab = self.tab(role)
            except TestFailure as failure:
                self.report(f"page {page['name']}", [str(failure)])
                continue
            path = page.get("path")
            if "follow" in page:  # a page reached through a link, e.g. the first person in the people list
                try:
                    tab.navigate(self.url(page["follow"]["from"]))
                    path = tab.call(FIRST_LINK_JS, page["follow"]["link"])
                    if not path:
                        raise TestFailure(f"no link `{page['follow']['link']}` on {page['follow']['from']} to follow")
                except TestFailure as failure:
                    self.report(f"page {page['name']}", [str(failure)], expect_fail=page.get("expect_fail"))
                    continue
            for language in languages:
                for viewport in viewports:
                    label = " ".join(x for x in (language, viewport) if x)
                    self.check(f"page {page['name']} [{label}] {path}", page.get("expect_fail"),
                               lambda: self.visit_page(tab, page, path, language, viewport))

    def run_csrf(self) -> None:
        for item in self.plan.get("csrf", []):
            name = f"csrf {item['name']}"
            if self.only and not self.only.search(name):
                continue

            def body(item=item):
                tab = self.tab(item.get("as", "anonymous"))
                tab.set_viewport("desktop", self.viewports["desktop"])
                path = item["path"]
                if "follow" in item:  # the form is on a page reached through a link (e.g. a person's page)
                    tab.navigate(self.url(item["follow"]["from"]))
                    path = tab.call(FIRST_LINK_JS, item["follow"]["link"])
                    if not path:
                        raise TestFailure(f"no link `{item['follow']['link']}` on {item['follow']['from']} to follow")
                visit = tab.navigate(self.url(path))
                if visit.status != 200:
                    raise TestFailure(f"the page holding the form answered {visit.status}")
                started = tab.call(STRIPPED_FORM_JS, {
                    "form": item.get("form", "form"), "csrf": self.login["csrf_field"], "fill": self.substitute(item.get("fill", {})),
                })
                if started.get("error"):
                    raise TestFailure(started["error"])
                tab.reset()
                if not self.browser.wait(lambda: tab.loaded, 30):
                    raise TestFailure("the form was posted but no page came back")
                status = tab.documents[-1].get("status") if tab.documents else None
                expected = item.get("expect_status", 403)
                where = f"POST {urllib.parse.urlsplit(started['action']).path} without {self.login['csrf_field']}"
                if status != expected:
                    return [f"{where} answered {status}, expected {expected} (the token is not enforced)"], ""
                return [], f"{where} refused with {status}"

            self.check(name, item.get("expect_fail"), body)

    def run_viewer(self) -> None:
        viewer = self.plan.get("viewer", {})
        for item in viewer.get("absent", []):
            name = f"{item.get('as', 'viewer')} sees no edit action on {item['path']}"
            if self.only and not self.only.search(name):
                continue

            def body(item=item):
                tab = self.tab(item.get("as", "viewer"))
                page = {"name": name, "require": item.get("require", []), "absent": item["selectors"],
                        "languages": [None], "_languages": [None], "_viewports": ["desktop"]}
                path = item["path"]
                if "follow" in item:  # e.g. the first person of the people list, as the viewer sees it
                    tab.navigate(self.url(item["follow"]["from"]))
                    path = tab.call(FIRST_LINK_JS, item["follow"]["link"])
                    if not path:
                        return [f"no link `{item['follow']['link']}` on {item['follow']['from']} to follow"], ""
                problems, detail = self.visit_page(tab, page, path, None, "desktop")
                return problems, f"none of {item['selectors']} ({detail})"

            self.check(name, item.get("expect_fail"), body)
        for item in viewer.get("forbidden", []):
            method = item.get("method", "GET").upper()
            name = f"{item.get('as', 'viewer')} refused {method} {item['path']}"
            if self.only and not self.only.search(name):
                continue

            def body(item=item, method=method):
                tab = self.tab(item.get("as", "viewer"))
                tab.set_viewport("desktop", self.viewports["desktop"])
                expected = item.get("expect_status", 403)
                if method == "GET":
                    visit = tab.navigate(self.url(item["path"]))
                else:
                    visit = tab.navigate(self.url(item.get("csrf_from", item["path"])))
                    if visit.status != 200:
                        raise TestFailure(f"{item.get('csrf_from', item['path'])} (for the token) answered {visit.status}")
                    sent = tab.call(FORGED_ACTION_JS, {"action": self.url(item["path"]), "csrf": self.login["csrf_field"],
                                                       "fill": self.substitute(item.get("fill", {}))})
                    tab.reset()
                    if not self.browser.wait(lambda: tab.loaded, 30):
                        raise TestFailure("the form was posted but no page came back")
                    visit.status = tab.documents[-1].get("status") if tab.documents else None
                    if not sent.get("token"):
                        return [f"no {self.login['csrf_field']} token on {item.get('csrf_from')} to send with the post"], ""
                if visit.status != expected:
                    return [f"{method} {item['path']} as {item.get('as', 'viewer')} answered {visit.status}, expected {expected}"], ""
                return [], f"answered {visit.status}"

            self.check(name, item.get("expect_fail"), body)

    def run_actions(self) -> None:
        """Forms that change something, used as a person would: open the page, fill the form, press the button, and
        check the page that comes back (its status, `require` selectors and a text per language)."""
        for item in self.plan.get("actions", []):
            for language in item.get("languages", self.defaults["languages"]) or [None]:
                name = f"action {item['name']}" + (f" [{language}]" if language else "")
                if self.only and not self.only.search(name):
                    continue

                def body(item=item, language=language):
                    tab = self.tab(item.get("as", "user"))
                    tab.set_viewport("desktop", self.viewports["desktop"])
                    self.prepare_language(tab, language)
                    visit = tab.navigate(self.url(item["path"], language))
                    if visit.status != 200:
                        raise TestFailure(f"{item['path']} (holding the form) answered {visit.status}")
                    started = tab.call(ACTION_FORM_JS, {"form": item.get("form", "form"), "submit": item.get("submit"),
                                                        "fill": self.substitute(item.get("fill", {}))})
                    if started.get("error"):
                        raise TestFailure(started["error"])
                    tab.reset()
                    if not self.browser.wait(lambda: tab.loaded, 30):
                        raise TestFailure("the form was posted but no page came back")
                    self.browser.idle(self.defaults["settle_ms"] / 1000)
                    expect = item.get("expect", {})
                    status = tab.documents[-1].get("status") if tab.documents else None
                    where = f"POST {urllib.parse.urlsplit(started['action']).path}"
                    problems: list[str] = []
                    if status != expect.get("status", 200):
                        problems.append(f"{where} answered {status}, expected {expect.get('status', 200)}")
                    require = [r if isinstance(r, dict) else {"selector": r} for r in expect.get("require", [])]
                    facts = tab.call(PAGE_FACTS_JS, {"require": require, "nonzero": [], "absent": [], "overflow": False})
                    for want, got in zip(require, facts["require"]):
                        if got["visible"] < want.get("min", 1):
                            problems.append(f"after the post: `{want['selector']}`: {got['visible']} visible, at least {want.get('min', 1)} expected")
                    pattern = (expect.get("text") or {}).get(language or "")
                    if pattern and not re.search(pattern, facts["text"]):
                        problems.append(f"after the post: no text matching /{pattern}/")
                    problems += self.errors(tab)
                    return problems, f"{where} answered {status}"

                self.check(name, item.get("expect_fail"), body)

    def run(self) -> Outcome:
        # Logins first (before any deliberately failed login could slow later ones down), then pages, then forms.
        self.run_pages()
        self.run_viewer()
        self.run_csrf()
        self.run_actions()
        return self.outcome


# ---------------------------------------------------------------------------------------------------------------
# Entry point


def load_fake_console(path: Path):
    spec = importlib.util.spec_from_file_location("fake_console", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="the server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--email", default=os.environ.get("SIYU_DEMO_EMAIL", "demo@siyu.local"))
    parser.add_argument("--password", default=os.environ.get("SIYU_DEMO_PASSWORD", "siyu-demo"))
    parser.add_argument("--viewer-email", default=os.environ.get("SIYU_DEMO_VIEWER_EMAIL", "viewer@siyu.local"))
    parser.add_argument("--viewer-password", default=os.environ.get("SIYU_DEMO_VIEWER_PASSWORD", "siyu-demo"))
    parser.add_argument("--plan", type=Path, default=REPO / "Tests/Browser/pages.json")
    parser.add_argument("--screenshots", help="directory for the plan's screenshots (none are taken without it)")
    parser.add_argument("--only", help="run only the checks whose name matches this regular expression")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the browser or a page")
    parser.add_argument("--self-test", action="store_true",
                        help="run Tests/Browser/self_test.json against Tests/Browser/fake_console.py: proves the driver catches faults")
    args = parser.parse_args(argv)

    started = time.monotonic()
    fake = None
    if args.self_test:
        module = load_fake_console(REPO / "Tests/Browser/fake_console.py")
        fake = module.start(port=0)
        args.base_url = fake.url
        args.email, args.password = module.OWNER
        args.viewer_email, args.viewer_password = module.VIEWER
        if args.plan == REPO / "Tests/Browser/pages.json":
            args.plan = REPO / "Tests/Browser/self_test.json"
        if not args.screenshots:
            args.screenshots = str(REPO / ".test-env/browser-self-test-screenshots")
        print(f"self-test: fake console at {args.base_url}, plan {args.plan}, screenshots in {args.screenshots}")
    if not args.base_url:
        parser.error("--base-url is required (or --self-test)")
    plan = json.loads(args.plan.read_text(encoding="utf-8"))

    # SIGTERM / SIGHUP (CI timeouts, the wrapper's trap) end the run through `finally`, which kills the browser.
    def stop(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)

    try:
        binary = find_chromium()
    except BrowserError as error:
        if fake is not None:
            fake.shutdown()
        print(f"FAIL  browser: {error}\nbrowser: 0 passed, 1 failed")
        return 1
    browser = Browser(binary, timeout=args.timeout)
    outcome = Outcome()
    try:
        browser.start()
        print(f"browser: {browser.version} (headless, pid {browser.process.pid}), started in {time.monotonic() - started:.1f} s")
        runner = Runner(browser, plan, args)
        outcome = runner.outcome  # what was checked so far counts even if the browser dies half-way
        runner.run()
    except BrowserError as error:
        outcome.failed.append("browser")
        print(f"FAIL  browser: {error}")
    except KeyboardInterrupt as interrupt:
        outcome.failed.append("interrupted")
        print(f"FAIL  interrupted ({interrupt})")
    finally:
        browser.close()
        if fake is not None:
            fake.shutdown()
    if browser.group_alive():
        outcome.failed.append("browser left running")
        print(f"FAIL  the browser's processes (group {browser.process.pid}) are still running after close")
    seconds = time.monotonic() - started
    print()
    if outcome.failed:
        print(f"failed checks ({len(outcome.failed)}):")
        for name in outcome.failed:
            print(f"  - {name}")
    print(f"browser test finished in {seconds:.1f} s")
    # The plain closing line CI reads.
    print(f"browser: {outcome.passed} passed, {len(outcome.failed)} failed")
    return 1 if outcome.failed else 0


if __name__ == "__main__":
    sys.exit(main())
