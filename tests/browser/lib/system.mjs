// lib/system.mjs: the system under test for the browser tests. Creates a fresh Postgres
// database, starts target/debug/worker and two target/debug/gateway processes (A and B,
// each on a free port, serving static/) with a topic prefix of their own, waits for
// /readyz, restarts a gateway on the same port, and stops everything at the end.
//
// Reads DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS (as `eval "$(scripts/services up)"`
// exports them). Logs go to target/browser-tests/<run>/.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = process.env.PARLEY_ROOT || path.resolve(HERE, '..', '..', '..');
export const TARGET = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function psql(url, sql) {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
}

class Proc {
  constructor(name, bin, env, logFile) {
    Object.assign(this, { name, bin, env, logFile, child: null, exited: null });
  }

  start() {
    const fd = openSync(this.logFile, 'a');
    this.child = spawn(this.bin, [], { env: this.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child.once('exit', () => {
      this.child = null;
    });
    return this;
  }

  get running() {
    return Boolean(this.child);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 20000) {
    if (!this.child) return;
    const { exited } = this;
    this.child.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done && this.child) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }

  killNow() {
    if (this.child) this.child.kill('SIGKILL');
  }
}

export class System {
  constructor() {
    const missing = ['DATABASE_URL', 'KAFKA_BOOTSTRAP_SERVERS'].filter((v) => !process.env[v]);
    if (missing.length) {
      throw new Error(`${missing.join(' and ')} not set: run the tests after eval "$(scripts/services up)" (tests/browser/run.sh does this)`);
    }
    for (const bin of ['worker', 'gateway']) {
      const file = path.join(TARGET, 'debug', bin);
      if (!existsSync(file)) throw new Error(`${file} is missing: build the binaries first with \`cargo build --bins\``);
    }
    const stamp = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
    this.run = `browser_${stamp}`;
    this.dbName = `parley_${this.run}`;
    this.logDir = path.join(TARGET, 'browser-tests', this.run);
    this.procs = [];
    this.gateways = {};
  }

  async start() {
    mkdirSync(this.logDir, { recursive: true });
    // A fresh database: the worker runs the migrations at start-up.
    psql(process.env.DATABASE_URL, `CREATE DATABASE "${this.dbName}"`);
    const db = new URL(process.env.DATABASE_URL);
    db.pathname = `/${this.dbName}`;
    this.databaseUrl = db.toString();
    this.baseEnv = {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      KAFKA_BOOTSTRAP_SERVERS: process.env.KAFKA_BOOTSTRAP_SERVERS,
      PARLEY_TOPIC_PREFIX: this.run,
      PARLEY_STATIC_DIR: path.join(ROOT, 'static'),
      RUST_LOG: process.env.RUST_LOG || 'info',
    };
    this.worker = this.spawn('worker', 'worker', {});
    // The worker creates the topics and migrates; give it a head start before gateways.
    await sleep(500);
    for (const name of ['a', 'b']) {
      const port = await freePort();
      const proc = this.spawn(`gateway-${name}`, 'gateway', { PARLEY_LISTEN: `127.0.0.1:${port}` });
      this.gateways[name] = { proc, port, url: `http://127.0.0.1:${port}` };
    }
    await Promise.all(Object.keys(this.gateways).map((n) => this.waitReady(n)));
  }

  spawn(name, bin, extraEnv) {
    const proc = new Proc(name, path.join(TARGET, 'debug', bin), { ...this.baseEnv, ...extraEnv }, path.join(this.logDir, `${name}.log`));
    proc.start();
    this.procs.push(proc);
    return proc;
  }

  url(name) {
    return this.gateways[name].url;
  }

  /** Waits until GET /readyz answers 200 (Kafka, Postgres and the events consumer). */
  async waitReady(name, timeoutMs = 120000) {
    const g = this.gateways[name];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const p of [this.worker, g.proc]) {
        if (!p.running) throw new Error(`${p.name} exited; last lines of ${p.logFile}:\n${tail(p.logFile)}`);
      }
      try {
        const res = await fetch(`${g.url}/readyz`, { signal: AbortSignal.timeout(3000) });
        if (res.status === 200) return;
      } catch {
        /* not listening yet */
      }
      await sleep(250);
    }
    throw new Error(`gateway-${name} was not ready within ${timeoutMs / 1000} s; last lines of ${g.proc.logFile}:\n${tail(g.proc.logFile)}`);
  }

  /** SIGTERM the gateway and wait for it to exit. */
  async stopGateway(name) {
    await this.gateways[name].proc.stop();
  }

  /** Starts the gateway again on the same port and waits until it is ready. */
  async startGateway(name) {
    const g = this.gateways[name];
    const proc = this.spawn(`gateway-${name}`, 'gateway', { PARLEY_LISTEN: `127.0.0.1:${g.port}` });
    g.proc = proc;
    await this.waitReady(name);
  }

  async stop() {
    // Gateways first, so no request arrives for a worker that is gone.
    await Promise.all(Object.values(this.gateways).map((g) => g.proc.stop()));
    if (this.worker) await this.worker.stop();
    if (this.databaseUrl && !process.env.PARLEY_KEEP_TEST_DB) {
      try {
        psql(process.env.DATABASE_URL, `DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
      } catch (e) {
        console.error(`could not drop ${this.dbName}: ${e.message}`);
      }
    }
  }

  /** Last resort on abrupt exit: no process outlives the tests. */
  killAll() {
    for (const p of this.procs) p.killNow();
  }
}
