// lib/balancer.mjs: a small HTTP load balancer for the browser tests, in front of the
// stack's gateways as a deployment has one: each request goes to the first gateway (in
// the order given) that takes it; one that refuses the connection or answers 503 (a
// gateway draining, or full) is skipped for the next. Event streams (/api/events) it
// passes can be frozen: the connection stays open but nothing more comes through, as when
// a connection dies without anyone saying so. On 127.0.0.1, a free port.

import http from 'node:http';

const readAll = (stream) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

/** Sends the request to `base`; resolves with the response once its head came. */
function forward(base, req, body) {
  const target = new URL(base);
  return new Promise((resolve, reject) => {
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers, // Host and Origin stay the balancer's, as behind a real one
        agent: false,
      },
      resolve,
    );
    up.on('error', reject);
    up.end(body.length ? body : undefined);
  });
}

export class Balancer {
  /** `upstreams`: the gateways' base URLs, in order of preference. */
  constructor(upstreams) {
    this.upstreams = upstreams;
    this.streams = new Set(); // {res, up, frozen}
    this.log = []; // {time, method, path, upstream (index, or -1), status}
  }

  async start() {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
  }

  async handle(req, res) {
    const body = await readAll(req);
    for (let i = 0; i < this.upstreams.length; i += 1) {
      const last = i === this.upstreams.length - 1;
      let up;
      try {
        up = await forward(this.upstreams[i], req, body);
      } catch {
        if (!last) continue;
        this.log.push({ time: Date.now(), method: req.method, path: req.url, upstream: -1, status: 502 });
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end('no gateway answered');
        return;
      }
      if (up.statusCode === 503 && !last) {
        up.resume();
        continue;
      }
      this.log.push({ time: Date.now(), method: req.method, path: req.url, upstream: i, status: up.statusCode });
      res.writeHead(up.statusCode, up.headers);
      if (req.url.startsWith('/api/events') && up.statusCode === 200) {
        const stream = { res, up, frozen: false, upstream: i };
        this.streams.add(stream);
        up.on('data', (chunk) => {
          if (!stream.frozen) res.write(chunk);
        });
        up.on('end', () => res.end());
        up.on('error', () => res.destroy());
        res.on('close', () => {
          this.streams.delete(stream);
          up.destroy();
        });
      } else {
        up.pipe(res);
        res.on('close', () => up.destroy());
      }
      return;
    }
  }

  /** The event streams open through the balancer now. */
  openStreams() {
    return [...this.streams].filter((s) => !s.res.destroyed && !s.res.writableEnded);
  }

  /** From now on, the streams open now pass nothing on (new ones are not frozen). */
  freezeStreams() {
    for (const s of this.streams) s.frozen = true;
  }

  async stop() {
    for (const s of this.streams) {
      s.up.destroy();
      s.res.destroy();
    }
    this.server?.closeAllConnections?.();
    await new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
