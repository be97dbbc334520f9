// The page of `ctrctl top --web` in Debian's chromium, headless, driven by
// playwright-core (no browser of its own is downloaded).  Run by
// bats-tests/70-top.bats, which starts wb1..wb3 under load in its own
// CTR_* environment (inherited here) and removes everything after.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import http from "node:http";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CTR_CHROMIUM || "/usr/bin/chromium";
let server, origin, browser, page;
const requests = [];

function ctrctl(...args) {
  return execFileSync("ctrctl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

async function apiContainers() {
  const res = await fetch(origin + "/api/containers");
  assert.equal(res.status, 200);
  return res.json();
}

// A raw request, so that Host and the method are exactly what we say.
function raw(method, path, host) {
  const u = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: { Host: host } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res));
    });
    req.on("error", reject);
    req.end();
  });
}

// The figures a card shows, read from the page.
function cardFigures(name) {
  return page.evaluate((n) => {
    const c = document.querySelector(`.card[data-name="${n}"]`);
    if (!c) return null;
    const [cpu, mem] = c.querySelectorAll(".doughnut");
    return {
      state: c.querySelector(".state").textContent,
      cpu: c.querySelector(".cpu-value").textContent,
      mem: c.querySelector(".mem-value").textContent,
      pids: c.querySelector(".pids-value").textContent,
      cpuRing: cpu.querySelector(".value").textContent,
      memFraction: mem.dataset.fraction,
      events: [...c.querySelectorAll(".event")].map((e) => e.dataset.kind),
      marks: c.querySelectorAll(".spark .mark-oom_kill").length,
    };
  }, name);
}

function human(b) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return (i ? b.toFixed(1) : b.toFixed(0)) + u[i];
}

before(async () => {
  server = spawn("ctr-top", ["--web=0", "-d", "0.5"], { stdio: ["ignore", "pipe", "inherit"] });
  origin = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/[^/]+)\//);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error("ctr-top exited " + code + ": " + out)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(origin + "/");
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    server.kill("SIGTERM");
    await new Promise((r) => server.exitCode !== null ? r() : server.on("exit", r));
  }
});

test("the running containers, with the API's figures", async () => {
  await page.waitForFunction(() => document.querySelectorAll(".card.running").length >= 3, null, { timeout: 5000 });
  // let a few samples in (CPU% needs two), then compare one sample both ways:
  // the API serves the sample the page got last, unless a refresh came between
  for (let attempt = 0; ; attempt++) {
    const n = await page.evaluate(() => Number(document.body.dataset.samples || 0));
    await page.waitForFunction((k) => Number(document.body.dataset.samples || 0) > k, n + 2, { timeout: 5000 });
    const rows = await apiContainers();
    const mismatches = [];
    for (const name of ["wb1", "wb2", "wb3"]) {
      const r = rows.find((x) => x.name === name);
      assert.ok(r, name + " in /api/containers");
      const f = await cardFigures(name);
      assert.ok(f, name + " has a card");
      assert.equal(f.state, "running");
      const want = {
        cpu: r.cpu_percent === null ? "n/a" : r.cpu_percent.toFixed(1),
        cpuRing: r.cpu_percent === null ? "n/a" : r.cpu_percent.toFixed(1) + "%",
        mem: human(r.mem_used) + " / " + (r.mem_limit ? human(r.mem_limit) : "max") + " (peak " + (r.mem_peak === null ? "n/a" : human(r.mem_peak)) + ")",
        pids: r.pids + " / " + (r.pids_limit ?? "max"),
        memFraction: r.mem_limit ? (r.mem_used / r.mem_limit).toFixed(4) : "",
      };
      for (const k of Object.keys(want)) if (f[k] !== want[k]) mismatches.push(`${name} ${k}: page ${f[k]}, API ${want[k]}`);
    }
    if (!mismatches.length) break;
    if (attempt >= 4) assert.fail(mismatches.join("\n"));
  }
  // the busy ones are busy: the doughnut is not empty
  const wb1 = (await apiContainers()).find((x) => x.name === "wb1");
  assert.ok(wb1.cpu_percent > 5, "wb1 cpu_percent " + wb1.cpu_percent);
  // five minutes of history fill up from here; the screenshot for the README
  await page.waitForTimeout(2500);
  if (process.env.CTR_TOP_SCREENSHOT) await page.screenshot({ path: process.env.CTR_TOP_SCREENSHOT, fullPage: true });
});

test("a container started after the page opened shows within two seconds", async () => {
  ctrctl("run", "-d", "wb4", "--", "sleep", "1000");
  const t0 = Date.now();
  await page.waitForSelector('.card.running[data-name="wb4"]', { timeout: 2000 });
  assert.ok(Date.now() - t0 <= 2000);
});

test("an OOM kill is marked as an event", async () => {
  // a process in wb2 (--memory 64, 24 MiB held) asks for 80 MiB more
  try { ctrctl("exec", "wb2", "python3", "-c", "b = bytearray(80 << 20)"); } catch { /* killed: 137 */ }
  await page.waitForSelector('.card[data-name="wb2"] .event[data-kind="oom_kill"]', { timeout: 5000 });
  const f = await cardFigures("wb2");
  assert.ok(f.marks >= 1, "an OOM mark on wb2's sparklines");
  assert.equal(f.state, "running");
});

test("a stopped container shows as stopped", async () => {
  ctrctl("stop", "-t", "1", "wb1");
  await page.waitForSelector('.card.stopped[data-name="wb1"]', { timeout: 3000 });
  const f = await cardFigures("wb1");
  assert.match(f.state, /^stopped \(exit \d+\)$/);
  assert.ok(f.events.includes("stopped"));
});

test("the page made no request to anything but its own server", async () => {
  assert.ok(requests.length >= 2, "requests recorded: " + requests.join(" "));
  const foreign = requests.filter((u) => !u.startsWith(origin + "/"));
  assert.deepEqual(foreign, []);
});

test("a foreign Host header and a POST are refused, no CORS header", async () => {
  const port = new URL(origin).port;
  assert.equal((await raw("GET", "/api/containers", "attacker.example:" + port)).statusCode, 403);
  assert.equal((await raw("GET", "/", "rebind.attacker.example")).statusCode, 403);
  assert.equal((await raw("POST", "/api/containers", "127.0.0.1:" + port)).statusCode, 405);
  const ok = await raw("GET", "/api/containers", "127.0.0.1:" + port);
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers["access-control-allow-origin"], undefined);
  // and from a page of another origin, the browser cannot read it
  const blocked = await page.evaluate(async (o) => {
    try { await fetch(o.replace("127.0.0.1", "localhost") + "/api/containers"); return false; } catch { return true; }
  }, origin);
  assert.ok(blocked, "a cross-origin fetch was readable");
});
