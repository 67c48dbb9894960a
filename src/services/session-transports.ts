/**
 * The session hosts of this node (one per session-based provider type, e.g. SMPP). Built with the
 * context, started with the workers, stopped first on close so sessions unbind cleanly.
 */
import type { AppContext } from '../context.js';
import { PROVIDERS } from '../providers/core/registry.js';
import type { SessionHost } from '../providers/core/types.js';

export class SessionTransports {
  private readonly hosts = new Map<string, SessionHost>();
  private started = false;

  constructor(ctx: AppContext) {
    for (const module of PROVIDERS.values()) {
      if (module.sessions) this.hosts.set(module.manifest.type, module.sessions(ctx));
    }
  }

  host(type: string): SessionHost | undefined {
    return this.hosts.get(type);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const host of this.hosts.values()) host.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all([...this.hosts.values()].map((host) => host.stop()));
  }
}
