import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTemplate } from '../../src/services/templates/render.js';
import { recordAudit, diffChanges } from '../../src/services/audit.js';
import { createTestApp, createTestTenant, type TestApp } from '../helper.js';

describe('template renderer', () => {
  const data = { contact: { first_name: 'Ann', fields: { invoice_no: 'INV-9', empty: '' } }, user: { name: 'Bo' }, tenant: { name: 'Acme' } };

  it('fills contact, contact field, user and tenant variables', async () => {
    const result = await renderTemplate('Hi {{ contact.first_name }}, invoice {{ contact.fields.invoice_no }} from {{ user.name }} at {{ tenant.name }}', data);
    expect(result).toEqual({ text: 'Hi Ann, invoice INV-9 from Bo at Acme', emptyVariables: [] });
  });

  it('reports variables that render to nothing, also inside blocks, but not ones with a default', async () => {
    const result = await renderTemplate('{{ contact.last_name }}{% if true %}{{ contact.fields.empty }}{% endif %}{{ contact.nick | default: "friend" }}', data);
    expect(result.text).toBe('friend');
    expect(result.emptyVariables).toEqual(['contact.last_name', 'contact.fields.empty']);
  });

  it('refuses file access, unknown filters, syntax errors and runaway output with template_error', async () => {
    for (const source of ['{% include "secrets.txt" %}', '{% render "x" %}', '{{ x | nofilter }}', 'Hi {{ contact.first_name', '{% assign s = "xxxxxxxxxx" %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s }}']) {
      await expect(renderTemplate(source, data), source).rejects.toMatchObject({ code: 'template_error', statusCode: 400 });
    }
  });

  it('bounds the render time and the output length', async () => {
    const started = Date.now();
    await expect(renderTemplate('{% for i in (1..100000000) %}{% endfor %}', data, { maxTemplateLength: 1000, maxOutputLength: 1000, renderTimeMs: 50 })).rejects.toMatchObject({ code: 'template_error' });
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(renderTemplate('{% for i in (1..200) %}ab{% endfor %}', data, { maxTemplateLength: 1000, maxOutputLength: 100, renderTimeMs: 200 })).rejects.toMatchObject({ code: 'template_error' });
  });
});

describe('recordAudit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });
  afterAll(async () => t.close());

  it('stores the actor, address, target and changes with secrets redacted', async () => {
    const tenant = await createTestTenant(t.ctx);
    await recordAudit(t.ctx.db, {
      tenantId: tenant.tenantId,
      actor: { type: 'user', id: 'usr_1' },
      sourceIp: '203.0.113.9',
      action: 'provider_account.updated',
      target: { type: 'provider_account', id: 'pa_1', label: 'Twilio' },
      changes: { ...diffChanges({ name: 'a', credentials: { authToken: 'old' } }, { name: 'b', credentials: { authToken: 'new-secret' } }), nested: { password: 'p' } },
    });
    const row = await t.ctx.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ actor_type: 'user', actor_id: 'usr_1', source_ip: '203.0.113.9', action: 'provider_account.updated', target_id: 'pa_1', target_label: 'Twilio' });
    expect(row.changes).not.toContain('secret');
    expect(JSON.parse(row.changes!)).toEqual({ name: { from: 'a', to: 'b' }, credentials: '[redacted]', nested: { password: '[redacted]' } });
  });
});
