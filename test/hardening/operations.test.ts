/**
 * Issue 10: SSRF through sandbox media (1), carrier base URLs on private addresses and the Test
 * action's answer (12), one SECRET_KEY per deployment (15), the database in DATA_DIR (16),
 * shutdown with an open event stream (17), S3 media shared by two nodes (18), owner-only files (19).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { startServer } from '../../src/server.js';
import { createApiKey, createTenant } from '../../src/services/tenants.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, TEST_DATABASE, createNodeContext } from '../helper.js';

async function internalService(body: string, status = 200) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(status, { 'content-type': status === 200 ? 'image/png' : 'text/html' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise((r) => server.close(r)) };
}

describe('outbound connections and the guard', () => {
  it('does not fetch sandbox inbound media from an internal address (SSRF)', async () => {
    const internal = await internalService('internal secret bytes');
    const t = await createTestApp({ env: { ALLOW_PRIVATE_URLS: '' } });
    try {
      const tenant = await createTestTenant(t.ctx);
      await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: '+15005550006' });
      const injected = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: tenant.auth, payload: { from: '+15551234567', to: '+15005550006', body: 'look', media: [{ url: `${internal.url}/admin/secret.png` }] } });
      expect(injected.statusCode, injected.body).toBe(202);
      const media = await eventually(async () => {
        const rows = await t.ctx.db.selectFrom('media').selectAll().execute();
        return rows.length > 0 && rows.every((row) => row.status !== 'pending') ? rows : null;
      });
      expect(media.map((row) => row.status)).toEqual(['failed']);
      expect(internal.hits).toEqual([]);
    } finally {
      await t.close();
      await internal.close();
    }
  });

  it('refuses carrier base URLs on private addresses unless allowed, and the Test action never echoes a raw body', async () => {
    const internal = await internalService('<html>SECRET-INTERNAL-PAGE</html>', 500);
    const t = await createTestApp();
    try {
      const tenant = await createTestTenant(t.ctx);
      const credentials = { accountSid: 'AC' + '2'.repeat(32), authToken: 'e'.repeat(32) };
      const refused = await t.app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: tenant.auth, payload: { type: 'twilio', name: 'x', credentials, baseUrl: 'http://10.20.30.40:8080' } });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe('private_url');
      // 127.0.0.1 is in the test's ALLOW_PRIVATE_URLS, as an operator would allow an on-premises gateway.
      const { accountId } = await createAccountAndNumber(t.app, tenant, { type: 'twilio', credentials, baseUrl: internal.url, number: '+15005550006' });
      const test = await t.app.inject({ method: 'POST', url: `/api/v1/provider-accounts/${accountId}/test`, headers: tenant.auth, payload: { to: '+15551234567' } });
      expect(test.statusCode).toBe(200);
      expect(test.json().ok).toBe(false);
      expect(test.body).not.toContain('SECRET-INTERNAL-PAGE');
    } finally {
      await t.close();
      await internal.close();
    }
  });
});

describe('one deployment, several nodes', () => {
  it('refuses to start a node whose SECRET_KEY differs from the database’s', async () => {
    const t = await createTestApp({ env: { SECRET_KEY: 'a'.repeat(40) } });
    try {
      const config = loadConfig({ DATABASE_URL: t.ctx.config.databaseUrl, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-node2-')), SECRET_KEY: 'b'.repeat(40), LOG_LEVEL: 'silent' });
      await expect(createNodeContext(config)).rejects.toThrow(/SECRET_KEY differs from the key this database was set up with/);
      const same = await createNodeContext(loadConfig({ DATABASE_URL: t.ctx.config.databaseUrl, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-node2-')), SECRET_KEY: 'a'.repeat(40), LOG_LEVEL: 'silent' }));
      await same.close();
    } finally {
      await t.close();
    }
  });

  it('keeps the default database in DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: '/srv/switchboard-data' }, '/somewhere/else');
    expect(config.sqlitePath).toBe('/srv/switchboard-data/switchboard.db');
  });

  it('stores media in S3-compatible storage that another node reads', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-s3-'));
    const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'switchboard-media', configs: [] }] });
    const { port } = (await s3.run()) as AddressInfo;
    const env = { MEDIA_STORE: 's3://switchboard-media/tenants', S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_REGION: 'us-east-1', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: 'true', SECRET_KEY: 'c'.repeat(40) };
    const nodeA = await createTestApp({ env });
    const nodeB = await createNodeContext(loadConfig({ ...env, DATABASE_URL: nodeA.ctx.config.databaseUrl, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sb-nodeb-')), LOG_LEVEL: 'silent' }));
    try {
      const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
      const { tenantId } = await createTestTenant(nodeA.ctx);
      const saved = await nodeA.ctx.media.save(tenantId, 'image/png', png);
      expect(saved.storage_key).toBe(`s3:switchboard-media/tenants/${tenantId}/${saved.id}`);
      const row = await nodeB.db.selectFrom('media').selectAll().where('id', '=', saved.id).executeTakeFirstOrThrow();
      const read = await nodeB.media.read(row);
      expect(read.data.equals(png)).toBe(true);
      expect(fs.existsSync(path.join(nodeA.dataDir, 'media'))).toBe(false);
    } finally {
      await nodeB.close();
      await nodeA.close();
      await s3.close();
    }
  });
});

describe('process hygiene', () => {
  it('exits promptly on shutdown with an event stream open, having stopped claiming jobs', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-shutdown-'));
    const server = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SHUTDOWN_GRACE_SECONDS: '2' }));
    const tenant = await createTenant(server.ctx.db, 'Stream');
    const key = await createApiKey(server.ctx.db, tenant.id, 'sse');
    const address = server.app.server.address() as AddressInfo;
    const opened = new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: address.port, path: '/api/v1/events', headers: { authorization: `Bearer ${key.key}` } }, resolve).on('error', reject);
    });
    const stream = await opened;
    expect(stream.statusCode).toBe(200);
    stream.resume();
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(4000);
    expect(server.ctx.queue.isRunning).toBe(false);
  });

  it('creates the SQLite file, its WAL and media owner-only', async () => {
    if (TEST_DATABASE !== 'sqlite') return;
    const t = await createTestApp();
    try {
      const db = t.ctx.config.sqlitePath!;
      expect(fs.statSync(db).mode & 0o077).toBe(0);
      if (fs.existsSync(`${db}-wal`)) expect(fs.statSync(`${db}-wal`).mode & 0o077).toBe(0);
      const { tenantId } = await createTestTenant(t.ctx);
      const saved = await t.ctx.media.save(tenantId, 'image/png', Buffer.from('89504e47', 'hex'));
      const file = path.join(t.dataDir, 'media', tenantId, saved.id);
      expect(fs.statSync(file).mode & 0o077).toBe(0);
      expect(fs.statSync(path.dirname(file)).mode & 0o077).toBe(0);
    } finally {
      await t.close();
    }
  });
});
