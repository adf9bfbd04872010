// lib/system.mjs: the system under test for the browser tests, as a thin client of
// `parley-stack serve` (tests/kit): that binary creates a fresh database and topic prefix,
// starts target/debug/worker and two target/debug/gateway processes (A and B, each on a
// free port, serving static/), waits for /readyz, prints one JSON line, then takes
// `stop-gateway NAME` / `start-gateway NAME` (same port) on its stdin, and stops
// everything (and drops the database) when its stdin closes or on SIGTERM.
//
// Reads DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS (as `eval "$(scripts/services up)"`
// exports them). Logs go to target/browser-tests/<run>/.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = process.env.PARLEY_ROOT || path.resolve(HERE, '..', '..', '..');
export const TARGET = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
const STACK = path.join(TARGET, 'debug', 'parley-stack');

export class System {
  /** `env`: more environment for the worker and the gateways (e.g. PARLEY_KEEPALIVE_SECS). */
  constructor({ env = {} } = {}) {
    this.env = env;
    const missing = ['DATABASE_URL', 'KAFKA_BOOTSTRAP_SERVERS'].filter((v) => !process.env[v]);
    if (missing.length) {
      throw new Error(`${missing.join(' and ')} not set: run the tests after eval "$(scripts/services up)" (tests/browser/run.sh does this)`);
    }
    if (!existsSync(STACK)) throw new Error(`${STACK} is missing: build the binaries first with \`cargo build --bins\``);
    const stamp = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
    this.logDir = path.join(TARGET, 'browser-tests', `browser_${stamp}`);
  }

  /** Starts the stack and waits until both gateways are ready. */
  async start() {
    this.child = spawn(STACK, ['serve', '--gateways', 'a,b', '--log-dir', this.logDir], {
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info', ...this.env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    const lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
    this.nextLine = async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error(`parley-stack ended (${JSON.stringify(await this.exited)}); see its output above and ${this.logDir}`);
      return JSON.parse(value);
    };
    this.info = await this.nextLine();
  }

  url(name) {
    return this.info.gateways[name].url;
  }

  async command(line) {
    this.child.stdin.write(`${line}\n`);
    const reply = await this.nextLine();
    if (!reply.ok) throw new Error(`parley-stack ${line}: ${reply.error}`);
  }

  /** SIGTERM the gateway and wait for it to exit (SIGKILL after 20 s). */
  async stopGateway(name) {
    await this.command(`stop-gateway ${name}`);
  }

  /** Starts the gateway again on the same port and waits until it is ready. */
  async startGateway(name) {
    await this.command(`start-gateway ${name}`);
  }

  /** Stops everything: gateways first, then the worker; drops the database. */
  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.stdin.end();
    await this.exited;
  }

  /** Last resort on abrupt exit: parley-stack stops its processes on SIGTERM. */
  killAll() {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
