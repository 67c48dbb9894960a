/** `switchboard <command>` (SPEC §3). Every command exits non-zero with one clear line on error. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/env.js';
import { migrateToLatest, openStore } from '../db/client.js';
import { AppError } from '../errors.js';
import { randomToken } from '../lib/crypto.js';
import { exitOnSignals, startServer } from '../server.js';
import { createApiKey, createTenant, createUser, findTenant, ROLES, type Role } from '../services/tenants.js';

const USAGE = `usage: switchboard <command>
  start                                              run the server (HTTP + workers)
  migrate                                            apply database migrations
  tenant create <name>                               create a tenant, print its id
  user create --tenant <t> --email <e> --role <r> [--name <n>] [--extension <x>]
                                                     password from stdin, or generated and printed once
  apikey create --tenant <t> [--name <n>] [--scopes a,b]   print a new API key once`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!.trim();
}

async function withStore<T>(fn: (db: ReturnType<typeof openStore>['db']) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = openStore(config);
  try {
    await migrateToLatest(store);
    return await fn(store.db);
  } finally {
    await store.close();
  }
}

/** "Switchboard is running: open http://… in your browser (to create the first owner)." */
export function startMessage(localUrl: string, publicUrl: string, hasUsers: boolean): string {
  const open = publicUrl.replace(/\/+$/, '');
  const also = open === localUrl ? '' : ` (this machine: ${localUrl})`;
  return `Switchboard is running: open ${open}${also} in your browser${hasUsers ? '' : ' to create the first owner'}.`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    switch (command) {
      case 'start': {
        const server = await startServer(loadConfig());
        exitOnSignals(server);
        // A newcomer needs one thing from the log: where to open the dashboard.
        const hasUsers = Boolean(await server.ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst());
        console.log(startMessage(server.url, server.ctx.config.publicUrl, hasUsers));
        return await new Promise<number>(() => undefined);
      }
      case 'migrate': {
        const applied = await withStore(async () => []);
        console.log(`migrations are up to date${applied.length ? '' : ''}`);
        return 0;
      }
      case 'tenant': {
        if (sub !== 'create' || !rest[0]) throw new UsageError('tenant create <name>');
        const tenant = await withStore((db) => createTenant(db, rest.join(' ')));
        console.log(JSON.stringify(tenant));
        return 0;
      }
      case 'user': {
        if (sub !== 'create') throw new UsageError('user create --tenant <t> --email <e> --role <r>');
        const { values } = parseArgs({ args: rest, options: { tenant: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, extension: { type: 'string' } } });
        if (!values.tenant || !values.email || !values.role) throw new UsageError('user create needs --tenant, --email and --role');
        if (!ROLES.includes(values.role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const typed = await readStdin();
        const password = typed || randomToken(12);
        const user = await withStore(async (db) => {
          const tenant = await findTenant(db, values.tenant!);
          return createUser(db, tenant.id, { email: values.email!, name: values.name, role: values.role as Role, password, extension: values.extension ?? null });
        });
        console.log(JSON.stringify({ id: user.id, email: user.email, role: user.role, tenantId: user.tenant_id, ...(typed ? {} : { password }) }));
        return 0;
      }
      case 'apikey': {
        if (sub !== 'create') throw new UsageError('apikey create --tenant <t> [--name <n>]');
        const { values } = parseArgs({ args: rest, options: { tenant: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } } });
        if (!values.tenant) throw new UsageError('apikey create needs --tenant');
        const key = await withStore(async (db) => {
          const tenant = await findTenant(db, values.tenant!);
          return createApiKey(db, tenant.id, values.name ?? 'cli', values.scopes ? values.scopes.split(',') : ['*']);
        });
        console.log(JSON.stringify(key));
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
        console.log(USAGE);
        return command ? 0 : 1;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) console.error(`switchboard: ${error.message}\n${USAGE}`);
    else if (error instanceof ConfigError) console.error(`switchboard: configuration error: ${error.message}`);
    else if (error instanceof AppError) console.error(`switchboard: ${error.message}`);
    else console.error(`switchboard: ${(error as Error).message ?? error}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

class UsageError extends Error {}
