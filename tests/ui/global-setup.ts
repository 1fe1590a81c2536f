// Once per run: serves a copy of ui/dist over HTTP on a free port and starts one headless Chromium.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cp, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import { chromium } from "playwright-core";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The built window, e.g. http://127.0.0.1:41234/ */
    appUrl: string;
    /** Where specs connect to the shared Chromium. */
    browserWs: string;
  }
}

const DIST = resolve(import.meta.dirname, "../../ui/dist");
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** A static file server for `dir` on 127.0.0.1 and a free port. */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    const file = normalize(join(dir, path === "/" ? "index.html" : path));
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body),
      () => res.writeHead(404).end("not found"),
    );
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await stat(join(DIST, "index.html")).catch(() => {
    throw new Error(`${DIST}/index.html is missing: run 'npm run build' first ('npm run test:ui-browser' does).`);
  });
  // A snapshot, so a rebuild of ui/dist while the specs run cannot pull files from under them.
  const root = await mkdtemp(join(tmpdir(), "tokenwatch-ui-"));
  await cp(DIST, root, { recursive: true });
  const { server, url } = await serve(root);
  const cleanup = async (): Promise<void> => {
    await new Promise((done) => server.close(done));
    await rm(root, { recursive: true, force: true });
  };
  const executablePath = process.env.TOKENWATCH_CHROMIUM || "/usr/bin/chromium";
  const browser = await chromium
    .launchServer({ executablePath, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] })
    .catch(async (err: unknown) => {
      await cleanup();
      throw new Error(`cannot start Chromium at ${executablePath} (set TOKENWATCH_CHROMIUM): ${String(err)}`);
    });
  project.provide("appUrl", url);
  project.provide("browserWs", browser.wsEndpoint());
  return async () => {
    await browser.close();
    await cleanup();
  };
}
