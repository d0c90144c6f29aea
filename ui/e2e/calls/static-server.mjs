// Serves a folder on 127.0.0.1 (a free port), for pages Chromium opens in call tests.
import { createReadStream, statSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { connect } from "node:net";
import { extname, join, normalize, resolve } from "node:path";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".map": "application/json", ".svg": "image/svg+xml" };

/** Sends the request on to `target` (a base URL) and its answer back. */
function forward(request, response, target) {
  const url = new URL(request.url, target);
  const upstream = httpRequest(url, { method: request.method, headers: { ...request.headers, host: url.host } }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on("error", () => response.writeHead(502).end());
  request.pipe(upstream);
}

/** Passes a WebSocket upgrade on to `target` (`ws://host:port/path`), bytes both ways. */
function forwardUpgrade(request, socket, head, target) {
  const url = new URL(target);
  const upstream = connect(Number(url.port), url.hostname, () => {
    const headers = Object.entries({ ...request.headers, host: url.host }).map(([name, value]) => `${name}: ${value}`);
    upstream.write(`GET ${url.pathname} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n`);
    if (head.length) upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
  });
  const close = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on("error", close);
  socket.on("error", close);
}

const prefixOf = (map, path) => Object.keys(map).find((p) => path === p || path.startsWith(`${p}/`));

/**
 * Resolves to `{ url, requests, close() }` once listening. `proxy` maps a path prefix to a server
 * that answers it (as a clinic's web server puts Janus under `/janus` of the join page's origin);
 * `websockets` maps a path to a WebSocket server (`/janus-ws` to Janus's WebSocket transport).
 * `requests` lists every URL asked for, upgrades included, in order.
 */
export function serveFolder(folder, { proxy = {}, websockets = {} } = {}) {
  const root = resolve(folder);
  const requests = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? "/");
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    const prefix = prefixOf(proxy, path);
    if (prefix) {
      forward(request, response, proxy[prefix]);
      return;
    }
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    let ok = file.startsWith(root);
    try {
      ok = ok && statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(file).pipe(response);
  });
  const upgraded = new Set();
  server.on("upgrade", (request, socket, head) => {
    requests.push(request.url ?? "/");
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    const prefix = prefixOf(websockets, new URL(request.url ?? "/", "http://x").pathname);
    if (prefix) forwardUpgrade(request, socket, head, websockets[prefix]);
    else socket.destroy();
  });
  return new Promise((resolveServer) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      const close = () =>
        new Promise((r) => {
          for (const socket of upgraded) socket.destroy();
          server.closeAllConnections?.();
          server.close(r);
        });
      resolveServer({ url: `http://127.0.0.1:${port}/`, requests, close });
    });
  });
}
