#!/usr/bin/env python3
"""The hub's web console in headless Chromium, driven over the DevTools protocol on a pipe
(no npm, no driver): a real kiosk-hub over HTTPS (a throw-away certificate) on a store filled
with units, gaps and help requests; log in as region staff, see a unit, see a gap, open the
unit, the records per day and the help requests, download the CSV export; then as hall staff
see only that hall. Screenshots go to --out (look at them). Skipped (exit 77) only when
chromium is not installed."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import base64

SKIP = 77


class Browser:
    def __init__(self, tmp):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        r3, w3 = os.pipe()  # we write commands, chromium reads fd 3
        r4, w4 = os.pipe()  # chromium writes answers to fd 4
        args = [exe, "--headless=new", "--remote-debugging-pipe", "--ignore-certificate-errors",
                "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio",
                "--user-data-dir=" + os.path.join(tmp, "profile"), "--window-size=1280,900",
                "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # CI runs as root; chromium refuses its sandbox then

        def fds():
            os.dup2(r3, 3)
            os.dup2(w4, 4)

        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r3)
        os.close(w4)
        self.w = os.fdopen(w3, "wb", buffering=0)
        self.r = os.fdopen(r4, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = self.r.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=True, timeout=20):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        self.w.write(json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=20):
        deadline = time.time() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method:
                    del self.events[i]
                    return m.get("params", {})
            self.events.append(self._read(deadline))

    def attach(self):
        targets = self.send("Target.getTargets", session=False)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": page["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        self.send("Page.enable")

    def goto(self, url):
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def js(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        return r.get("result", {}).get("value")

    def submit(self, expr):
        """Run expr (a click that submits a form) and wait for the next page."""
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.js(expr)
        self.wait_event("Page.loadEventFired")

    def shot(self, path, width=1280, height=900, scale=1):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": scale,
                   "mobile": width < 1000})
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))
        self.send("Emulation.clearDeviceMetricsOverride")

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub", required=True)
    ap.add_argument("--fill", required=True)
    ap.add_argument("--assets", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("SKIP: chromium is not installed (Debian: apt-get install chromium; "
              "toolchain/install-deps.sh installs it)")
        return SKIP
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="console-browser-")
    env = dict(os.environ, KIOSK_HUB_CONFIG="")
    hub = None
    browser = None
    try:
        db = os.path.join(tmp, "hub.db")
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                        key, "-out", cert], check=True, capture_output=True)
        subprocess.run([a.hub, "keygen", "--out", os.path.join(tmp, "up")], check=True, env=env,
                       capture_output=True)
        subprocess.run([a.fill, db, "12", "40", "3", "5", "2"], check=True)
        subprocess.run([a.hub, "staff", "add", "--db", db, "region1", "--role", "region"],
                       input=b"region password 1\n", check=True, env=env)
        subprocess.run([a.hub, "staff", "add", "--db", db, "hall2", "--role", "hall", "--hall",
                        "H002"], input=b"hall password 22\n", check=True, env=env)
        port_file = os.path.join(tmp, "port")
        hub = subprocess.Popen([a.hub, "serve", "--db", db, "--sign-key",
                                os.path.join(tmp, "sign.key"), "--tls-cert", cert, "--tls-key", key,
                                "--listen", "127.0.0.1:0", "--port-file", port_file,
                                "--console-key", os.path.join(tmp, "up", "upstream.key"),
                                "--console-assets", a.assets], env=env)
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        base = "https://127.0.0.1:%s" % open(port_file).read().strip()

        browser = Browser(tmp)
        browser.attach()
        browser.goto(base + "/console/")
        check(browser.js("location.pathname") == "/console/login", "no session: the login page")
        browser.shot(os.path.join(a.out, "console-login.png"), 1280, 800)
        browser.submit("document.getElementById('name').value='region1';"
                       "document.getElementById('password').value='not-my-secret-9';"
                       "document.getElementById('login').click()")
        check("Wrong account or password" in browser.js("document.body.innerText"),
              "a wrong password is refused")
        browser.submit("document.getElementById('name').value='region1';"
                       "document.getElementById('password').value='region password 1';"
                       "document.getElementById('login').click()")
        check(browser.js("location.pathname") == "/console/units", "logged in: the units")
        text = browser.js("document.body.innerText")
        check("自助机 0002" in text, "a unit is listed")
        check(browser.js("document.querySelectorAll('tr.alarm').length") == 3,
              "three units with a gap, in red")
        check(browser.js("document.cookie") == "", "the session cookie is HttpOnly")
        check(browser.js("Array.from(document.querySelectorAll('th'))"
                         ".some(th => th.innerText.startsWith('设备状态'))"), "a health column")
        bad = browser.js("(() => { const e = document.querySelector('td.health .bad');"
                         " return e && [e.innerText, getComputedStyle(e).color]; })()")
        check(bad and "打印机缺纸 printer out of paper" in bad[0] and bad[1] == "rgb(163, 0, 0)",
              "a unit's health problem, in Chinese and English, in red: " + str(bad))
        check("no report yet" in text, "a unit that sent no report says so")
        browser.shot(os.path.join(a.out, "console-units.png"), 1280, 900)
        browser.shot(os.path.join(a.out, "console-units-tablet.png"), 800, 1280)
        browser.shot(os.path.join(a.out, "console-units-large.png"), 1280, 900, 1.5)
        browser.js("document.querySelector('td.health .bad').scrollIntoView({block: 'center'})")
        browser.shot(os.path.join(a.out, "console-units-problem.png"), 1280, 900)

        browser.submit("document.querySelector('tr.alarm a').click()")
        check(browser.js("location.pathname") == "/console/unit", "one unit's page")
        gaps = browser.js("Array.from(document.querySelectorAll('h2 + table tr.bad'))"
                          ".map(r => r.innerText.replace(/\\s+/g, ' ')).join('|')")
        check(gaps is not None and " 3 4 2" in gaps, "the gap 3..4 of that unit: " + str(gaps))
        browser.shot(os.path.join(a.out, "console-unit.png"), 1280, 900)
        check("Health reports, the last 30 days" in browser.js("document.body.innerText"),
              "the unit's health history")

        # a record of that unit: its page gives the receipt as printed; find it by that
        # (the highest, seq 40, came as from an older unit: no metadata; 39 has its receipt)
        browser.submit("document.querySelectorAll('a[href^=\"/console/record\"]')[1].click()")
        check(browser.js("location.pathname") == "/console/record", "a record's page")
        uuid = browser.js("new URLSearchParams(location.search).get('uuid')")
        receipt = browser.js("Array.from(document.querySelectorAll('tr')).find(r => r.innerText"
                             ".startsWith('回执号')).querySelector('td').innerText.trim()")
        check(receipt and "/" in receipt, "the receipt number as printed: " + str(receipt))
        browser.goto(base + "/console/find")
        browser.submit("document.getElementById('q').value=%s;"
                       "document.getElementById('find').click()" % json.dumps(receipt))
        check(browser.js("new URLSearchParams(location.search).get('uuid')") == uuid,
              "the receipt found opens its record")
        browser.js("document.getElementById('set').value='needs_materials';"
                   "document.getElementById('note').value='photo'")
        browser.submit("document.getElementById('set_state').click()")
        state = browser.js("document.getElementById('state').innerText")
        check(state and "需补材料" in state and "photo" in state and "console:region1" in state,
              "the state set from the console: " + str(state))
        browser.shot(os.path.join(a.out, "console-record.png"), 1280, 900)
        browser.goto(base + "/console/find?q=ZZZZZZZZ/H001-1")
        check("No such receipt" in browser.js("document.body.innerText"),
              "an unknown receipt is not found")
        browser.shot(os.path.join(a.out, "console-find.png"), 1280, 800)

        browser.goto(base + "/console/days")
        check("H003" in browser.js("document.body.innerText"), "records per hall per day")
        check("未注明" in browser.js("document.getElementById('services').innerText"),
              "records per service, with those sent without metadata")
        browser.shot(os.path.join(a.out, "console-days.png"), 1280, 900)
        browser.goto(base + "/console/help")
        check("help.request" in browser.js("document.body.innerText"), "help requests listed")
        check(browser.js("document.querySelector('meta[http-equiv=refresh]').content") == "15",
              "the help page reloads itself")
        browser.shot(os.path.join(a.out, "console-help.png"), 1280, 900)

        downloads = os.path.join(tmp, "downloads")
        os.makedirs(downloads)
        browser.send("Browser.setDownloadBehavior", {"behavior": "allow",
                                                     "downloadPath": downloads,
                                                     "eventsEnabled": True}, session=False)
        browser.goto(base + "/console/export")
        browser.shot(os.path.join(a.out, "console-export.png"), 1280, 800)
        browser.js("document.getElementById('export').click()")
        got = None
        for _ in range(200):
            files = [f for f in os.listdir(downloads) if f.endswith(".csv")]
            if files:
                got = os.path.join(downloads, files[0])
                break
            time.sleep(0.1)
        check(got is not None, "the export was downloaded")
        with open(got, "rb") as f:
            csv = f.read()
        check(csv.startswith(b"\xef\xbb\xbf") and "记录类型".encode() in csv,
              "it is the provincial CSV (BOM, header)")
        browser.goto(base + "/console/audit")
        audit = browser.js("document.body.innerText")
        check("record_state" in audit, "the state change is audited")
        check("export" in audit and "login_failed" in audit, "the audit shows the export and "
                                                            "the failed login")
        check("region password" not in audit and "not-my-secret" not in audit,
              "no password in the audit")
        browser.shot(os.path.join(a.out, "console-audit.png"), 1280, 900)
        browser.submit("document.querySelector('header form button').click()")
        check(browser.js("location.pathname") == "/console/login", "logged out")

        browser.submit("document.getElementById('name').value='hall2';"
                       "document.getElementById('password').value='hall password 22';"
                       "document.getElementById('login').click()")
        halls = browser.js("Array.from(document.querySelectorAll('tbody tr td:nth-child(2)'))"
                           ".map(td => td.innerText)")
        check(halls and set(halls) == {"H002"}, "hall staff see only their hall: " + str(halls))
        browser.shot(os.path.join(a.out, "console-units-hall.png"), 1280, 900)
        print("screenshots in", a.out)
        return 0
    finally:
        if browser:
            browser.close()
        if hub:
            hub.terminate()
            try:
                hub.wait(timeout=10)
            except subprocess.TimeoutExpired:
                hub.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
