/**
 * Outbound HTTP requests made on a worker thread. A carrier API call (undici's request(): writing
 * the request, parsing the answer, reading its body) was about a tenth of the main thread's time
 * per delivered message (issue 11), and the main thread is the one that answers every webhook and
 * API request. Here the thread only moves bytes: the policy stays with the caller. Each new
 * connection asks the main thread's `lookup` where it may connect (the private-address guard),
 * redirects come back unfollowed for the caller to check and follow, and the caller's signal
 * aborts the request on the thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface ThreadRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** The most of the answer's body to read; past it the request fails. */
  maxBytes: number;
}

/** An answer. A redirect's body is discarded on the thread; every other answer's is read whole and decoded as UTF-8 there. */
export interface ThreadResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export type GuardLookup = (hostname: string, options: { all?: boolean }, callback: (error: Error | null, addresses?: Array<{ address: string; family: number }>) => void) => void;

/** What crosses between threads for an error: enough to classify it (name, code, cause) and to rebuild a guard refusal. */
export interface ErrorShape {
  name: string;
  message: string;
  code?: string;
  fields?: Record<string, string>;
  cause?: ErrorShape;
}

// CommonJS, run with `eval`: the server is one bundled file, so the worker cannot be a module of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require(workerData.undici);
const lookups = new Map();
const running = new Map();
let nextLookup = 0;
const rebuild = (shape) => Object.assign(new Error(shape.message), { name: shape.name, code: shape.code }, shape.fields);
const describe = (error, depth = 0) => {
  if (!error || typeof error !== 'object') return { name: 'Error', message: String(error) };
  const shape = { name: String(error.name || 'Error'), message: String(error.message || error) };
  if (typeof error.code === 'string') shape.code = error.code;
  if (typeof error.target === 'string' && typeof error.address === 'string') shape.fields = { target: error.target, address: error.address };
  if (error.cause && depth < 3) shape.cause = describe(error.cause, depth + 1);
  return shape;
};
const agent = new Agent({
  connections: workerData.connections,
  connect: {
    lookup(hostname, options, callback) {
      const id = nextLookup++;
      lookups.set(id, { options, callback });
      parentPort.postMessage({ type: 'lookup', id, hostname });
    },
  },
});
async function perform(message, controller) {
  const response = await request(message.url, { method: message.method, headers: message.headers, body: message.body, signal: controller.signal, dispatcher: agent });
  if (response.statusCode >= 300 && response.statusCode <= 399 && response.headers.location) {
    await response.body.dump();
    return { status: response.statusCode, headers: response.headers, text: '' };
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > message.maxBytes) {
      response.body.destroy();
      throw new Error('the answer from ' + new URL(message.url).origin + ' is larger than ' + message.maxBytes + ' bytes');
    }
    chunks.push(chunk);
  }
  // Text, not bytes: a small Buffer sits in an 8 KB pool, and posting it would copy the whole pool.
  return { status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') };
}
parentPort.postMessage({ type: 'ready' });
parentPort.on('message', (message) => {
  if (message.type === 'request') {
    const controller = new AbortController();
    running.set(message.id, controller);
    perform(message, controller).then(
      (response) => parentPort.postMessage({ type: 'response', id: message.id, response }),
      (error) => parentPort.postMessage({ type: 'response', id: message.id, error: describe(error) }),
    ).finally(() => running.delete(message.id));
  } else if (message.type === 'abort') {
    running.get(message.id)?.abort(rebuild(message.reason));
  } else if (message.type === 'lookup') {
    const pending = lookups.get(message.id);
    lookups.delete(message.id);
    if (!pending) return;
    if (message.error) return pending.callback(rebuild(message.error));
    if (pending.options.all) return pending.callback(null, message.addresses);
    pending.callback(null, message.addresses[0].address, message.addresses[0].family);
  }
});
`;

interface Waiting {
  worker: Worker;
  resolve: (response: ThreadResponse) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** The main thread's side of `describe` in the worker: an abort reason or a guard refusal, sent to the thread. */
function describeError(error: unknown): ErrorShape {
  if (!error || typeof error !== 'object') return { name: 'Error', message: String(error) };
  const { name, message, code, target, address } = error as { name?: unknown; message?: unknown; code?: unknown; target?: unknown; address?: unknown };
  const shape: ErrorShape = { name: String(name ?? 'Error'), message: String(message ?? error) };
  if (typeof code === 'string') shape.code = code;
  if (typeof target === 'string' && typeof address === 'string') shape.fields = { target, address };
  return shape;
}

export class HttpThread {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private markReady: (() => void) | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;

  /**
   * @param lookup answers each new connection's DNS lookup on the main thread (the guard).
   * @param rebuildError turns an error that crossed from the thread back into one callers recognise.
   */
  constructor(
    private readonly lookup: GuardLookup,
    private readonly rebuildError: (shape: ErrorShape) => Error,
    private readonly connections = 64,
  ) {}

  /** Starts the thread now instead of on the first request; resolves once it has loaded undici and can take requests. */
  start(): Promise<void> {
    this.thread();
    return this.ready!;
  }

  request(url: string, init: ThreadRequest): Promise<ThreadResponse> {
    const { signal } = init;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    const worker = this.thread();
    return new Promise<ThreadResponse>((resolve, reject) => {
      const waiting: Waiting = { worker, resolve, reject, signal };
      if (signal) {
        // The caller gets its abort reason at once; the thread stops the request when it hears.
        waiting.onAbort = () => {
          this.settle(id)?.reject(signal.reason);
          worker.postMessage({ type: 'abort', id, reason: describeError(signal.reason) });
        };
        signal.addEventListener('abort', waiting.onAbort, { once: true });
      }
      this.waiting.set(id, waiting);
      worker.postMessage({ type: 'request', id, url, method: init.method, headers: init.headers, body: init.body, maxBytes: init.maxBytes });
    });
  }

  /** Ends the thread at once; requests still in flight fail (their outcome unknown). The next request starts a new thread. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    await worker.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const undici = createRequire(import.meta.url).resolve('undici');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { undici, connections: this.connections } });
    // Never keeps the process alive on its own.
    worker.unref();
    worker.on('message', (message) => this.receive(worker, message));
    const lost = (reason: string) => {
      if (this.worker === worker) this.worker = null;
      // A request on a thread that died may have reached the carrier: its outcome is unknown, never "not sent".
      for (const [id, waiting] of [...this.waiting]) if (waiting.worker === worker) this.settle(id)?.reject(new Error(`the HTTP thread ${reason} while the request was in flight`));
    };
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('the HTTP thread exited before it was ready')));
    });
    // Callers of start() see a failure; requests see theirs through `lost`.
    this.ready.catch(() => undefined);
    worker.once('error', (error) => lost(`failed (${error.message})`));
    worker.once('exit', () => lost('exited'));
    this.worker = worker;
    return worker;
  }

  private receive(worker: Worker, message: { type: string; id: number; hostname?: string; response?: ThreadResponse; error?: ErrorShape }): void {
    if (message.type === 'ready') return this.markReady?.();
    if (message.type === 'lookup') {
      this.lookup(message.hostname!, { all: true }, (error, addresses) => {
        worker.postMessage(error ? { type: 'lookup', id: message.id, error: describeError(error) } : { type: 'lookup', id: message.id, addresses });
      });
      return;
    }
    const waiting = this.settle(message.id);
    if (!waiting) return;
    if (message.error) waiting.reject(this.rebuildError(message.error));
    else waiting.resolve(message.response!);
  }

  private settle(id: number): Waiting | undefined {
    const waiting = this.waiting.get(id);
    if (!waiting) return undefined;
    this.waiting.delete(id);
    if (waiting.onAbort) waiting.signal!.removeEventListener('abort', waiting.onAbort);
    return waiting;
  }
}
