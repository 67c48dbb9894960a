/** A reply in a thread takes what a send takes: a template with variables, and a case. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const OURS = '+15550100888';
let t: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await createTestTenant(t.ctx, 'Reply Co');
  await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: OURS });
});
afterAll(async () => t.close());

describe('thread replies', () => {
  it('render a template for the conversation’s contact and carry the case token', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: tenant.auth, payload: { name: 'Rita Reply', phones: ['+15557771234'] } });
    await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: tenant.auth, payload: { from: '+15557771234', to: OURS, body: 'Hello?' } });
    const conversation = await eventually(async () => (await t.app.inject({ method: 'GET', url: '/api/v1/conversations', headers: tenant.auth })).json().items[0]);
    const template = (await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'Greeting', body: 'Hi {{ contact.first_name }}, about {{ topic }}' } })).json();
    const kase = (await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: tenant.auth, payload: { title: 'Question' } })).json();
    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/conversations/${conversation.id}/messages`, headers: tenant.auth, payload: { templateId: template.id, variables: { topic: 'your visit' }, caseId: kase.id } });
    expect(reply.statusCode, reply.body).toBe(202);
    const row = await t.ctx.db.selectFrom('messages').selectAll().where('id', '=', reply.json().id).executeTakeFirstOrThrow();
    expect(row.body).toBe(`Hi Rita, about your visit [${kase.token}]`);
    const empty = await t.app.inject({ method: 'POST', url: `/api/v1/conversations/${conversation.id}/messages`, headers: tenant.auth, payload: { templateId: template.id } });
    expect(empty.statusCode).toBe(422);
  });
});
