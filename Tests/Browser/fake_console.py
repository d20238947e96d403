"""A stand-in for Siyu's web console, so the browser driver can be tested before (and apart from) the real one.

Standard library only. Pages that behave (login with CSRF, a KPI board and a responsive funnel with inline SVG and
tables, segments with an edit action only non-viewers get) and pages with one deliberate fault each, which the
self-test (`scripts/browser_test.py --self-test`, plan Tests/Browser/self_test.json) expects the driver to catch:

    /console/broken       throws a JavaScript exception on load
    /console/noisy        logs console.error
    /console/wide         a table 1,200 px wide: scrolls horizontally on a 390 px phone
    /console/unscaled     no <meta name="viewport">: a phone lays it out 980 px wide
    /console/zeros        a chart and a table whose numbers are all 0
    /console/external     loads an image from another host name
    /console/untranslated always English, whatever language is asked for
    /console/leaky        shows an edit action to viewers
    /console/insecure     a form whose POST does not check the CSRF token

Run alone to look at it: python3 Tests/Browser/fake_console.py [port]
"""

from __future__ import annotations

import html
import secrets
import sys
import threading
import urllib.parse
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OWNER = ("demo@siyu.local", "siyu-demo")
VIEWER = ("viewer@siyu.local", "siyu-demo")
USERS = {OWNER[0]: (OWNER[1], "owner"), VIEWER[0]: (VIEWER[1], "viewer")}

STRINGS = {
    "zh-CN": {
        "login": "登录", "email": "邮箱", "password": "密码", "realtime": "实时看板", "funnel": "漏斗",
        "segments": "人群", "exposures": "曝光", "clicks": "点击", "conversions": "转化", "revenue": "收入",
        "channel": "渠道", "people": "人数", "edit": "编辑", "save": "保存", "forbidden": "没有权限执行此操作",
        "expired": "表单已过期，请刷新页面后重试", "bad_login": "邮箱或密码不正确", "step": "步骤", "rate": "转化率",
        "name": "名称",
    },
    "en": {
        "login": "Log in", "email": "Email", "password": "Password", "realtime": "Real-time board", "funnel": "Funnel",
        "segments": "Segments", "exposures": "Exposures", "clicks": "Clicks", "conversions": "Conversions",
        "revenue": "Revenue", "channel": "Channel", "people": "People", "edit": "Edit", "save": "Save",
        "forbidden": "You are not allowed to do this", "expired": "This form has expired; reload the page and try again",
        "bad_login": "Wrong email or password", "step": "Step", "rate": "Conversion", "name": "Name",
    },
}

CSS = """
*{box-sizing:border-box} body{margin:0;font:15px/1.5 "Noto Sans CJK SC","Liberation Sans",sans-serif;color:#1d2733;background:#f5f7fa}
header{background:#17324d;color:#fff;padding:10px 20px;display:flex;gap:16px;flex-wrap:wrap}
header a{color:#cfe3f7;text-decoration:none} main{padding:20px;max-width:1200px;margin:auto}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.kpi{background:#fff;border-radius:8px;padding:12px} .kpi .value{font-size:26px;font-weight:600}
.card{background:#fff;border-radius:8px;padding:12px;margin-top:16px} svg.chart{width:100%;height:auto;display:block}
.table-wrap{overflow-x:auto} table{border-collapse:collapse;width:100%} td,th{padding:6px 8px;border-bottom:1px solid #e3e8ee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums} form.login{max-width:320px;margin:60px auto;background:#fff;padding:24px;border-radius:8px}
form.login input{display:block;width:100%;margin:4px 0 12px;padding:8px} .error{color:#b42318}
"""


class State:
    def __init__(self):
        self.sessions: dict[str, dict] = {}  # id -> {"csrf": token, "user": email or None}
        self.lock = threading.Lock()

    def new_session(self, user: str | None = None) -> tuple[str, dict]:
        sid, data = secrets.token_urlsafe(16), {"csrf": secrets.token_urlsafe(16), "user": user}
        with self.lock:
            self.sessions[sid] = data
        return sid, data


def language_of(query: dict, headers) -> str:
    lang = query.get("lang", [""])[0]
    if lang in STRINGS:
        return lang
    accept = (headers.get("Accept-Language") or "").lower()
    return "en" if accept.startswith("en") else "zh-CN"


def bar_chart(values: list[int], labels: list[str], color: str = "#2f80ed") -> str:
    top = max(values) or 1
    bars = []
    for i, (v, label) in enumerate(zip(values, labels)):
        h = 150 * v / top
        x = 20 + i * 70
        bars.append(f'<rect x="{x}" y="{170 - h:.1f}" width="44" height="{h:.1f}" fill="{color}"><title>{label}: {v}</title></rect>'
                    f'<text x="{x + 22}" y="{165 - h:.1f}" text-anchor="middle" font-size="12">{v:,}</text>'
                    f'<text x="{x + 22}" y="188" text-anchor="middle" font-size="11">{html.escape(label)}</text>')
    width = 40 + 70 * len(values)
    return f'<svg class="chart" viewBox="0 0 {width} 195" role="img">{"".join(bars)}</svg>'


def line_chart(values: list[int]) -> str:
    top = max(values) or 1
    points = " ".join(f"{10 + i * 600 / (len(values) - 1):.1f},{150 - 130 * v / top:.1f}" for i, v in enumerate(values))
    return (f'<svg class="chart" viewBox="0 0 620 160" role="img"><polyline fill="none" stroke="#27ae60" '
            f'stroke-width="2" points="{points}"/></svg>')


class Handler(BaseHTTPRequestHandler):
    state: State  # set on the subclass made by start()
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the driver's own lines are the output
        pass

    # -- plumbing ---------------------------------------------------------------------------------------------

    def session(self) -> tuple[str | None, dict | None]:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        sid = cookie["siyu_session"].value if "siyu_session" in cookie else None
        return sid, self.state.sessions.get(sid) if sid else None

    def send(self, status: int, body: str, content_type="text/html; charset=utf-8", headers: dict | None = None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str, cookie: str | None = None):
        headers = {"Location": location}
        if cookie:
            headers["Set-Cookie"] = cookie
        self.send(303, "", headers=headers)

    def page(self, lang: str, title: str, body: str, *, viewport=True, script: str = "", status: int = 200, cookie=None):
        t = STRINGS[lang]
        meta = '<meta name="viewport" content="width=device-width, initial-scale=1">' if viewport else ""
        nav = (f'<header><strong>思域 Siyu</strong><a href="/console/realtime?lang={lang}">{t["realtime"]}</a>'
               f'<a href="/console/funnel?lang={lang}">{t["funnel"]}</a><a href="/console/segments?lang={lang}">{t["segments"]}</a></header>')
        doc = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{meta}<title>{html.escape(title)} · Siyu</title>'
               f'<link rel="icon" href="data:,"><link rel="stylesheet" href="/console/static/app.css"></head>'
               f'<body>{nav}<main>{body}</main>{f"<script>{script}</script>" if script else ""}</body></html>')
        self.send(status, doc, headers={"Set-Cookie": cookie} if cookie else None)

    def form_fields(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}

    # -- routes -----------------------------------------------------------------------------------------------

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        lang = language_of(query, self.headers)
        t = STRINGS[lang]
        if url.path == "/healthz":
            return self.send(200, '{"status":"ok"}', "application/json")
        if url.path == "/console/static/app.css":
            return self.send(200, CSS, "text/css; charset=utf-8")
        if url.path == "/console/static/logo.svg":
            return self.send(200, '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>', "image/svg+xml")
        if url.path == "/console/login":
            sid, data = self.session()
            cookie = None
            if data is None:
                sid, data = self.state.new_session()
                cookie = f"siyu_session={sid}; Path=/; HttpOnly; SameSite=Lax"
            return self.login_form(lang, data["csrf"], cookie=cookie)
        sid, data = self.session()
        if not data or not data["user"]:
            return self.redirect(f"/console/login?lang={lang}")
        role = USERS[data["user"]][1]
        csrf = f'<input type="hidden" name="_csrf" value="{data["csrf"]}">'
        if url.path == "/console/realtime":
            kpis = [("exposures", 48210), ("clicks", 3904), ("conversions", 212), ("revenue", 18250)]
            cards = "".join(f'<div class="kpi"><div>{t[k]}</div><div class="value">{"¥" if k == "revenue" else ""}{v:,}</div></div>'
                            for k, v in kpis)
            rows = "".join(f'<tr><td>{c}</td><td class="num">{p:,}</td><td class="num">¥{r:,}</td></tr>'
                           for c, p, r in [("WeChat", 1204, 9120), ("Douyin", 806, 5230), ("Xiaohongshu", 412, 3900)])
            body = (f'<h1>{t["realtime"]}</h1><div class="kpis">{cards}</div>'
                    f'<div class="card">{line_chart([3, 5, 4, 8, 12, 9, 14, 18, 15, 21, 19, 24])}</div>'
                    f'<div class="card table-wrap"><table><thead><tr><th>{t["channel"]}</th><th>{t["people"]}</th>'
                    f'<th>{t["revenue"]}</th></tr></thead><tbody>{rows}</tbody></table></div><p id="clock"></p>')
            return self.page(lang, t["realtime"], body, script="setInterval(()=>{document.getElementById('clock').textContent=new Date().toISOString()},100)")
        if url.path == "/console/funnel":
            steps = [("Product Viewed", 10400), ("Added to Cart", 3100), ("Checkout", 1260), ("Order Completed", 812)]
            rows = "".join(f'<tr><td>{i + 1}. {n}</td><td class="num">{v:,}</td><td class="num">{100 * v / steps[0][1]:.1f}%</td></tr>'
                           for i, (n, v) in enumerate(steps))
            body = (f'<h1>{t["funnel"]}</h1><div class="card">{bar_chart([v for _, v in steps], [str(i + 1) for i in range(4)])}</div>'
                    f'<div class="card table-wrap"><table><thead><tr><th>{t["step"]}</th><th>{t["people"]}</th><th>{t["rate"]}</th></tr>'
                    f'</thead><tbody>{rows}</tbody></table></div>')
            return self.page(lang, t["funnel"], body)
        if url.path in ("/console/segments", "/console/leaky"):
            editor = role != "viewer" or url.path == "/console/leaky"
            edit = f' <a class="edit" href="/console/segments/1/edit?lang={lang}">{t["edit"]}</a>' if editor else ""
            rows = (f'<tr><td><a class="name" href="/console/segments/1?lang={lang}">VIP</a>{edit}</td><td class="num">1,204</td></tr>'
                    f'<tr><td><a class="name" href="/console/segments/2?lang={lang}">Lapsed</a></td><td class="num">3,371</td></tr>')
            rename = (f'<form id="rename" method="post" action="/console/segments/1">{csrf}<input name="name" value="VIP">'
                      f'<button>{t["save"]}</button></form>') if editor else ""
            body = (f'<h1>{t["segments"]}</h1><div class="card table-wrap"><table><thead><tr><th>{t["name"]}</th><th>{t["people"]}</th>'
                    f'</tr></thead><tbody>{rows}</tbody></table></div><div class="card">{rename}</div>'
                    f'<form method="post" action="/console/logout">{csrf}<button>Log out</button></form>')
            return self.page(lang, t["segments"], body)
        if url.path in ("/console/segments/1", "/console/segments/2"):
            body = (f'<h1>VIP</h1><div class="card">{line_chart([900, 950, 1010, 1100, 1204])}</div>'
                    f'<div class="card"><table><tbody><tr><td>{t["people"]}</td><td class="num">1,204</td></tr></tbody></table></div>')
            return self.page(lang, "VIP", body)
        if url.path == "/console/segments/1/edit":
            if role == "viewer":
                return self.page(lang, t["forbidden"], f'<h1>403</h1><p>{t["forbidden"]}</p>', status=403)
            return self.page(lang, t["edit"], f'<form method="post" action="/console/segments/1">{csrf}<input name="name" value="VIP"><button>{t["save"]}</button></form>')
        if url.path == "/console/insecure":
            return self.page(lang, "insecure", f'<form id="note" method="post" action="/console/insecure">{csrf}<input name="note"><button>{t["save"]}</button></form>')
        # Pages with one fault each.
        board = (f'<div class="card">{bar_chart([5, 9, 7], ["a", "b", "c"])}</div>'
                 f'<div class="card"><table><tbody><tr><td>{t["people"]}</td><td class="num">1,204</td></tr></tbody></table></div>')
        if url.path == "/console/broken":
            return self.page(lang, "broken", board, script="document.querySelector('#kpi-total').textContent = 'x';")
        if url.path == "/console/noisy":
            return self.page(lang, "noisy", board, script="console.error('refresh failed: 500');")
        if url.path == "/console/wide":
            cells = "".join(f"<td>{1000 + i}</td>" for i in range(12))
            return self.page(lang, "wide", f'{board}<table style="min-width:1200px"><tbody><tr>{cells}</tr></tbody></table>')
        if url.path == "/console/unscaled":
            return self.page(lang, "unscaled", board, viewport=False)
        if url.path == "/console/untranslated":
            return self.page("en", "untranslated", board)
        if url.path == "/console/zeros":
            zeros = (f'<div class="card">{bar_chart([0, 0, 0], ["a", "b", "c"])}</div>'
                     f'<div class="card"><table><tbody><tr><td>{t["people"]}</td><td class="num">0</td></tr></tbody></table></div>')
            return self.page(lang, "zeros", zeros)
        if url.path == "/console/external":
            host = f"localhost:{self.server.server_address[1]}"
            return self.page(lang, "external", f'{board}<img src="http://{host}/console/static/logo.svg" alt="">')
        return self.page(lang, "404", "<h1>404</h1>", status=404)

    def login_form(self, lang: str, token: str, error: str = "", status: int = 200, cookie=None):
        t = STRINGS[lang]
        body = (f'<form class="login" method="post" action="/console/login?lang={lang}"><h1>{t["login"]}</h1>'
                f'{f"<p class=error>{error}</p>" if error else ""}'
                f'<input type="hidden" name="_csrf" value="{token}">'
                f'<label>{t["email"]}<input name="email" type="email" required autocomplete="username"></label>'
                f'<label>{t["password"]}<input name="password" type="password" required autocomplete="current-password"></label>'
                f'<button type="submit">{t["login"]}</button></form>')
        self.page(lang, t["login"], body, status=status, cookie=cookie)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        lang = language_of(urllib.parse.parse_qs(url.query), self.headers)
        t = STRINGS[lang]
        fields = self.form_fields()
        sid, data = self.session()
        if url.path != "/console/insecure" and (data is None or fields.get("_csrf") != data["csrf"]):
            return self.page(lang, t["expired"], f'<h1>403</h1><p>{t["expired"]}</p>', status=403)
        if url.path == "/console/login":
            user = USERS.get(fields.get("email", ""))
            if not user or user[0] != fields.get("password"):
                return self.login_form(lang, data["csrf"], t["bad_login"], status=401)
            with self.state.lock:
                self.state.sessions.pop(sid, None)
            new_sid, _ = self.state.new_session(fields["email"])
            return self.redirect(f"/console/realtime?lang={lang}", f"siyu_session={new_sid}; Path=/; HttpOnly; SameSite=Lax")
        if not data or not data["user"]:
            return self.redirect(f"/console/login?lang={lang}")
        if url.path == "/console/segments/1":
            if USERS[data["user"]][1] == "viewer":
                return self.page(lang, t["forbidden"], f'<h1>403</h1><p>{t["forbidden"]}</p>', status=403)
            return self.redirect(f"/console/segments?lang={lang}")
        if url.path == "/console/insecure":
            return self.page(lang, "saved", "<p>saved</p>")
        if url.path == "/console/logout":
            with self.state.lock:
                self.state.sessions.pop(sid, None)
            return self.redirect(f"/console/login?lang={lang}", "siyu_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
        return self.page(lang, "404", "<h1>404</h1>", status=404)


class Server:
    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread):
        self.httpd, self.thread = httpd, thread
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"

    def shutdown(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def start(port: int = 0) -> Server:
    """Serves the fake console on 127.0.0.1:`port` (0: any free port) from a daemon thread."""
    handler = type("FakeConsoleHandler", (Handler,), {"state": State()})
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="fake-console", daemon=True)
    thread.start()
    return Server(httpd, thread)


if __name__ == "__main__":
    server = start(int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
    print(f"fake console at {server.url}/console/login — {OWNER[0]} / {OWNER[1]} (viewer: {VIEWER[0]})")
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.shutdown()
