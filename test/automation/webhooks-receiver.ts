/** A real local HTTP receiver for event and workflow webhooks: records every request, answers as told per path. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Receiver {
  url: (path?: string) => string;
  received: Received[];
  /** Status (and optional Location) to answer on a path; default 200 "ok". */
  answer(path: string, status: number, location?: string): void;
  on(path: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  const answers = new Map<string, { status: number; location?: string }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
      received.push({ path, headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.get(path) ?? { status: 200 };
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.location ? { location: answer.location } : {}) });
      res.end(answer.status >= 400 ? `failure ${answer.status} at ${path}` : `ok ${path}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/hook') => `http://${host}:${port}${path}`,
    received,
    answer: (path, status, location) => answers.set(path, { status, location }),
    on: (path) => received.filter((r) => r.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
