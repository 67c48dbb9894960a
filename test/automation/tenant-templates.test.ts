import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { resolvePreset } from '../../src/services/tenant-settings.js';
import { createTestApp, createTestTenant, type Tenant, type TestApp } from '../helper.js';

let t: TestApp;
let tenant: Tenant;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
  tenant = await createTestTenant(t.ctx, 'Acme');
});
afterAll(async () => t.close());

describe('first run', () => {
  it('keeps the organisation name typed at set-up even when start-up made a placeholder tenant', async () => {
    const fresh = await createTestApp({ workers: false });
    try {
      await fresh.ctx.db.insertInto('tenants').values({ id: 'tn_placeholder', name: 'Default', settings: '{}', created_at: new Date().toISOString() }).execute();
      const setup = await fresh.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { tenantName: 'Harbour Dental', name: 'Olive', email: 'olive@example.com', password: 'correct horse' } });
      expect(setup.statusCode).toBe(201);
      const cookie = setup.cookies.find((c) => c.name === 'sb_session')!;
      const me = await fresh.app.inject({ method: 'GET', url: '/api/v1/tenant', cookies: { sb_session: cookie.value } });
      expect(me.json()).toMatchObject({ id: 'tn_placeholder', name: 'Harbour Dental' });
    } finally {
      await fresh.close();
    }
  });
});

describe('start-up', () => {
  it('does not read npm’s INIT_CWD as provider credentials (which made a placeholder "Default" tenant)', () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', INIT_CWD: '/srv/switchboard', TWILIO_ACCOUNT_SID: 'AC1' });
    expect(Object.keys(config.providerEnv)).toEqual(['TWILIO_ACCOUNT_SID']);
  });
});

describe('tenant settings', () => {
  it('updates name, time zone, default country, presets and texts, and records the change in the audit log', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/tenant',
      headers: tenant.auth,
      payload: { name: 'Acme Ltd', timeZone: 'Europe/London', defaultCountry: 'gb', sendLaterPresets: [{ label: 'Tomorrow 9am', dayOffset: 1, time: '09:00' }, { label: 'Friday noon', weekday: 5, time: '12:00' }], helpText: 'Acme: call 0800 000', optOutReply: 'Acme: you are out.' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ name: 'Acme Ltd', timeZone: 'Europe/London', defaultCountry: 'GB', helpText: 'Acme: call 0800 000', optOutReply: 'Acme: you are out.' });
    expect(body.sendLaterPresets).toHaveLength(2);
    expect(Date.parse(body.sendLaterPresets[0].nextAt)).toBeGreaterThan(Date.now());
    const compliance = await t.app.inject({ method: 'GET', url: '/api/v1/settings/compliance', headers: tenant.auth });
    expect(compliance.json().helpText).toBe('Acme: call 0800 000');
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenant.tenantId).where('action', '=', 'tenant.updated').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.changes!)).toMatchObject({ name: { from: 'Acme', to: 'Acme Ltd' }, timeZone: { from: 'UTC', to: 'Europe/London' }, defaultCountry: { from: null, to: 'GB' } });
    expect(audit[0]).toMatchObject({ actor_type: 'api_key', source_ip: '127.0.0.1' });
  });

  it('refuses an unknown time zone, a bad country, six presets and a bad preset time with 400 naming the field', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ timeZone: 'Mars/Olympus' }, /timeZone/],
      [{ defaultCountry: 'XX' }, /defaultCountry/],
      [{ sendLaterPresets: Array.from({ length: 6 }, (_, i) => ({ label: `p${i}`, minutes: 10 })) }, /sendLaterPresets/],
      [{ sendLaterPresets: [{ label: 'x', time: '25:00', dayOffset: 1 }] }, /time/],
      [{ sendLaterPresets: [{ label: 'x', time: '09:00' }] }, /dayOffset/],
      [{ helpText: '   ' }, /helpText/],
      [{ timeZone: 7 }, /timeZone/],
      [{ name: 'Acme\u0000' }, /NUL/],
      [{ sendLaterPresets: [{ label: 'a\u0000', minutes: 5 }] }, /NUL/],
      [{ helpText: 'x'.repeat(1001) }, /helpText/],
    ];
    for (const [payload, message] of cases) {
      const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/tenant', headers: tenant.auth, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('resolves presets in the tenant time zone, across a DST change', () => {
    // 2026-03-28 20:00 UTC is a Saturday evening in London (GMT); tomorrow 9am is BST (UTC+1).
    const at = new Date('2026-03-28T20:00:00Z');
    expect(resolvePreset({ label: 't', dayOffset: 1, time: '09:00' }, 'Europe/London', at).toISOString()).toBe('2026-03-29T08:00:00.000Z');
    expect(resolvePreset({ label: 'm', weekday: 1, time: '09:00' }, 'America/New_York', at).toISOString()).toBe('2026-03-30T13:00:00.000Z');
    expect(resolvePreset({ label: 'today', dayOffset: 0, time: '08:00' }, 'Asia/Tokyo', at).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(resolvePreset({ label: 'h', minutes: 90 }, 'UTC', at).toISOString()).toBe('2026-03-28T21:30:00.000Z');
  });
});

describe('templates', () => {
  it('creates, lists with paging, updates and deletes templates, each recorded in the audit log', async () => {
    const created = [];
    for (const name of ['Reminder', 'Invoice', 'Welcome']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name, body: `${name}: hi {{ contact.first_name }}` } });
      expect(res.statusCode, res.body).toBe(201);
      created.push(res.json());
    }
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/templates?limit=2', headers: tenant.auth });
    expect(first.json().items.map((i: { name: string }) => i.name)).toEqual(['Invoice', 'Reminder']);
    const second = await t.app.inject({ method: 'GET', url: `/api/v1/templates?limit=2&cursor=${first.json().nextCursor}`, headers: tenant.auth });
    expect(second.json()).toMatchObject({ items: [{ name: 'Welcome' }], nextCursor: null });

    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'Invoice', body: 'x' } });
    expect(dup.statusCode).toBe(409);
    const updated = await t.app.inject({ method: 'PATCH', url: `/api/v1/templates/${created[0].id}`, headers: tenant.auth, payload: { body: 'Reminder for {{ contact.name }}' } });
    expect(updated.json().body).toBe('Reminder for {{ contact.name }}');
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/templates/${created[2].id}`, headers: tenant.auth });
    expect(deleted.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/templates/${created[2].id}`, headers: tenant.auth })).statusCode).toBe(404);
    const actions = await t.ctx.db.selectFrom('audit_log').select(['action', 'target_label']).where('tenant_id', '=', tenant.tenantId).where('target_type', '=', 'template').orderBy('created_at').orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['template.created', 'template.created', 'template.created', 'template.updated', 'template.deleted']);
  });

  it('refuses invalid Liquid, file includes, NUL characters and foreign media on save', async () => {
    for (const body of ['Hi {{ contact.first_name', '{% include "x" %}', 'a\u0000b']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: `bad ${body.length}`, body } });
      expect(res.statusCode, body).toBe(400);
    }
    const media = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'with media', body: 'x', mediaIds: ['med_not_mine'] } });
    expect(media.statusCode).toBe(400);
    expect(media.json().error.message).toMatch(/med_not_mine/);
  });

  it('lists the issue 9 resources in the OpenAPI document', async () => {
    const spec = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(['/api/v1/tenant', '/api/v1/templates', '/api/v1/templates/{id}', '/api/v1/templates/{id}/render', '/api/v1/cases', '/api/v1/cases/{id}', '/api/v1/documents', '/api/v1/audit-log']));
  });

  it('does not show one tenant’s templates to another', async () => {
    const other = await createTestTenant(t.ctx, 'Other');
    const mine = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'Private', body: 'x' } });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/templates/${mine.json().id}`, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/templates', headers: other.auth })).json().items).toEqual([]);
  });

  it('previews a template for a recipient with the contact’s data and the segment count', async () => {
    const contact = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: tenant.auth, payload: { name: 'Ann Lee', phones: ['+447700900123'], fields: { invoice_no: 'INV-7' } } });
    expect(contact.statusCode, contact.body).toBe(201);
    const tpl = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'Inv', body: 'Hi {{ contact.first_name }}, invoice {{ contact.fields.invoice_no }} due {{ due }} from {{ tenant.name }}{{ contact.fields.missing }}' } });
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/templates/${tpl.json().id}/render`, headers: tenant.auth, payload: { to: '07700 900123', variables: { due: 'Friday' } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ text: 'Hi Ann, invoice INV-7 due Friday from Acme Ltd', emptyVariables: ['contact.fields.missing'], encoding: 'GSM-7', segments: 1 });
    const reserved = await t.app.inject({ method: 'POST', url: `/api/v1/templates/${tpl.json().id}/render`, headers: tenant.auth, payload: { variables: { contact: 'x' } } });
    expect(reserved.statusCode).toBe(400);
  });
});
