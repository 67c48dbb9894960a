import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSegments } from '../../src/lib/segments.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const OURS = '+15550100777';
let t: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  t = await createTestApp({ publicUrl: 'https://sb.example.com' });
  tenant = await createTestTenant(t.ctx, 'Harbour Dental');
  await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: OURS });
});
afterAll(async () => t.close());

const send = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: OURS, ...payload } });
const inbound = (from: string, body: string) => t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: tenant.auth, payload: { from, to: OURS, body } });
const getCase = async (id: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: tenant.auth })).json();

describe('templates on POST /messages', () => {
  it('renders the template for the recipient’s contact, with variables, and stores the rendered body', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: tenant.auth, payload: { name: 'Ann Lee', phones: ['+15557770001'], fields: { invoice_no: 'INV-42' } } });
    const tpl = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'Invoice', body: 'Hi {{ contact.first_name }}, invoice {{ contact.fields.invoice_no }} is due {{ due }}. {{ tenant.name }}' } });
    const res = await send({ to: '+15557770001', templateId: tpl.json().id, variables: { due: 'Friday' } });
    expect(res.statusCode, res.body).toBe(202);
    const message = await t.ctx.db.selectFrom('messages').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(message.body).toBe('Hi Ann, invoice INV-42 is due Friday. Harbour Dental');
    expect(message.segments).toBe(countSegments(message.body).segments);
  });

  it('refuses with 422 naming the variable that would render to nothing, and sends nothing', async () => {
    const tpl = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'Needs due', body: 'Hi {{ contact.first_name }}, due {{ due }}' } });
    const before = await t.ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await send({ to: '+15557770002', templateId: tpl.json().id });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'template_variable_empty' });
    expect(res.json().error.message).toContain('"contact.first_name"');
    expect(res.json().error.message).toContain('"due"');
    const after = await t.ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('sends the template’s media with it (MMS)', async () => {
    const boundary = '----sbmedia';
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4d00000000049454e44ae426082', 'hex');
    const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="logo.png"\r\nContent-Type: image/png\r\n\r\n`), png, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const media = await t.app.inject({ method: 'POST', url: '/api/v1/media', headers: { ...tenant.auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(media.statusCode, media.body).toBe(201);
    const tpl = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'With logo', body: 'See you soon, {{ contact.first_name }}', mediaIds: [media.json().id] } });
    expect(tpl.statusCode, tpl.body).toBe(201);
    const res = await send({ to: '+15557770001', templateId: tpl.json().id });
    expect(res.statusCode, res.body).toBe(202);
    const row = await t.ctx.db.selectFrom('messages').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ body: 'See you soon, Ann', media_count: 1 });
  });

  it('refuses body together with templateId, unknown templates, and variables of the wrong type', async () => {
    const tpl = await t.app.inject({ method: 'POST', url: '/api/v1/templates', headers: tenant.auth, payload: { name: 'Plain', body: 'Hello' } });
    expect((await send({ to: '+15557770001', templateId: tpl.json().id, body: 'x' })).statusCode).toBe(400);
    expect((await send({ to: '+15557770001', templateId: 'tpl_missing' })).statusCode).toBe(404);
    const typed = await send({ to: '+15557770001', templateId: tpl.json().id, variables: { due: { nested: true } } });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().error.message).toContain('variables.due');
  });
});

describe('cases', () => {
  it('appends the case token (counted in segments), and a tokenless reply lands in the case', async () => {
    // The tenant has no case yet, and this node has cached that: creating one must drop the entry.
    expect(await t.ctx.hasCases.get(tenant.tenantId)).toBe(false);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: tenant.auth, payload: { title: 'Crown fitting' } });
    expect(created.statusCode, created.body).toBe(201);
    const kase = created.json();
    expect(kase.token).toMatch(/^SB-[2-9A-HJ-NP-Z]{6}$/);
    const sent = await send({ to: '+15557770003', body: 'Your crown is ready', caseId: kase.id });
    expect(sent.statusCode, sent.body).toBe(202);
    const row = await t.ctx.db.selectFrom('messages').selectAll().where('id', '=', sent.json().id).executeTakeFirstOrThrow();
    expect(row.body).toBe(`Your crown is ready [${kase.token}]`);
    expect(sent.json().segments).toBe(countSegments(row.body).segments);

    const reply = await inbound('+15557770003', 'Great, thanks');
    expect(reply.statusCode, reply.body).toBe(202);
    const view = await eventually(async () => {
      const c = await getCase(kase.id);
      return c.messages.length === 2 ? c : null;
    });
    expect(view.messages.map((m: { direction: string; body: string }) => [m.direction, m.body])).toEqual([
      ['outbound', `Your crown is ready [${kase.token}]`],
      ['inbound', 'Great, thanks'],
    ]);
    expect(view.conversationId).toBe(sent.json().conversationId);
  });

  it('a token in the reply wins over the most recent case, and closed cases get no tokenless replies', async () => {
    const older = (await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: tenant.auth, payload: { title: 'Older' } })).json();
    const newer = (await t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: tenant.auth, payload: { title: 'Newer' } })).json();
    await send({ to: '+15557770004', body: 'About the older one', caseId: older.id });
    await send({ to: '+15557770004', body: 'About the newer one', caseId: newer.id });
    const tokened = await inbound('+15557770004', `re [${older.token.toLowerCase()}] fine`);
    await eventually(async () => (await getCase(older.id)).messages.some((m: { id: string }) => m.id === tokened.json().id));
    expect((await getCase(newer.id)).messages.some((m: { id: string }) => m.id === tokened.json().id)).toBe(false);

    const closed = await t.app.inject({ method: 'PATCH', url: `/api/v1/cases/${newer.id}`, headers: tenant.auth, payload: { status: 'closed' } });
    expect(closed.json()).toMatchObject({ status: 'closed' });
    expect((await send({ to: '+15557770004', body: 'x', caseId: newer.id })).statusCode).toBe(409);
    const plain = await inbound('+15557770004', 'another question');
    // The newer case is closed, so the reply goes to the most recent open one: the older case.
    await eventually(async () => (await getCase(older.id)).messages.some((m: { id: string }) => m.id === plain.json().id));
    expect((await getCase(newer.id)).messages.some((m: { id: string }) => m.id === plain.json().id)).toBe(false);
  });

  it('lists cases with filters and keeps other tenants out', async () => {
    const open = await t.app.inject({ method: 'GET', url: '/api/v1/cases?status=open', headers: tenant.auth });
    expect(open.json().items.every((c: { status: string }) => c.status === 'open')).toBe(true);
    expect(open.json().items.length).toBeGreaterThan(0);
    const other = await createTestTenant(t.ctx, 'Other');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/cases/${open.json().items[0].id}`, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: other.auth, payload: { from: OURS, to: '+15557770001', body: 'x', caseId: open.json().items[0].id } })).statusCode).not.toBe(202);
  });
});

describe('documents as links', () => {
  const upload = async (name: string, type: string, data: Buffer) => {
    const boundary = '----sbtest';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return t.app.inject({ method: 'POST', url: '/api/v1/documents', headers: { ...tenant.auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  };
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

  it('appends a short link instead of MMS, serves the file, and records only the first open', async () => {
    const doc = await upload('Quote 17.pdf', 'application/pdf', pdf);
    expect(doc.statusCode, doc.body).toBe(201);
    const sent = await send({ to: '+15557770005', body: 'Your quote:', documents: [{ id: doc.json().id }] });
    expect(sent.statusCode, sent.body).toBe(202);
    const row = await t.ctx.db.selectFrom('messages').selectAll().where('id', '=', sent.json().id).executeTakeFirstOrThrow();
    const match = /^Your quote:\nhttps:\/\/sb\.example\.com\/d\/([A-Za-z0-9_-]{12})$/.exec(row.body);
    expect(match, row.body).not.toBeNull();
    expect(row.media_count).toBe(0);
    expect(row.segments).toBe(countSegments(row.body).segments);

    const probe = await t.app.inject({ method: 'HEAD', url: `/d/${match![1]}` });
    expect(probe.statusCode).toBe(200);
    const unopened = (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${row.id}`, headers: tenant.auth })).json();
    expect(unopened.history.map((h: { status: string }) => h.status)).not.toContain('link_opened');
    const opened = await t.app.inject({ method: 'GET', url: `/d/${match![1]}` });
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-type']).toBe('application/pdf');
    expect(opened.rawPayload.equals(pdf)).toBe(true);
    expect(opened.headers['content-security-policy']).toContain('sandbox');
    await t.app.inject({ method: 'GET', url: `/d/${match![1]}` });
    const message = (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${row.id}`, headers: tenant.auth })).json();
    expect(message.history.filter((h: { status: string }) => h.status === 'link_opened')).toEqual([expect.objectContaining({ status: 'link_opened', detail: 'Quote 17.pdf' })]);

    const again = await send({ to: '+15557770005', body: 'again', documents: [{ id: doc.json().id }] });
    expect(again.statusCode).toBe(409);
  });

  it('refuses pictures (those are MMS), unknown codes, unsent and expired links', async () => {
    expect((await upload('cat.png', 'image/png', Buffer.from('png'))).statusCode).toBe(415);
    expect((await t.app.inject({ method: 'GET', url: '/d/AAAAAAAAAAAA' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/d/short' })).statusCode).toBe(400);
    const unsent = await upload('draft.pdf', 'application/pdf', pdf);
    const code = (await t.ctx.db.selectFrom('documents').select('code').where('id', '=', unsent.json().id).executeTakeFirstOrThrow()).code;
    expect((await t.app.inject({ method: 'GET', url: `/d/${code}` })).statusCode).toBe(404);
    const doc = await upload('old.pdf', 'application/pdf', pdf);
    await send({ to: '+15557770006', body: 'old', documents: [{ id: doc.json().id }] });
    const sentRow = await t.ctx.db.selectFrom('documents').select(['code', 'expires_at']).where('id', '=', doc.json().id).executeTakeFirstOrThrow();
    expect(Date.parse(sentRow.expires_at!)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    await t.ctx.db.updateTable('documents').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', doc.json().id).execute();
    expect((await t.app.inject({ method: 'GET', url: `/d/${sentRow.code}` })).statusCode).toBe(410);
  });
});

describe('tenant texts', () => {
  it('answers HELP and STOP with the texts set on the tenant', async () => {
    await t.app.inject({ method: 'PATCH', url: '/api/v1/tenant', headers: tenant.auth, payload: { helpText: 'Harbour Dental help: call 555-0100', optOutReply: 'Harbour Dental: you will get no more texts.' } });
    for (const [word, text] of [['HELP', 'Harbour Dental help: call 555-0100'], ['STOP', 'Harbour Dental: you will get no more texts.']]) {
      await inbound('+15557770009', word!);
      await eventually(async () => {
        const rows = await t.ctx.db.selectFrom('messages').select('body').where('tenant_id', '=', tenant.tenantId).where('direction', '=', 'outbound').where('to_numbers', '=', JSON.stringify(['+15557770009'])).execute();
        return rows.some((row) => row.body === text);
      });
    }
  });
});

describe('tenant default country', () => {
  it('reads local numbers in the tenant’s country for sends and contacts when the number has none', async () => {
    const local = await send({ to: '2025550123', body: 'hi' });
    expect(local.statusCode).toBe(400);
    await t.app.inject({ method: 'PATCH', url: '/api/v1/tenant', headers: tenant.auth, payload: { defaultCountry: 'US' } });
    const res = await send({ to: '(202) 555-0123', body: 'hi' });
    expect(res.statusCode, res.body).toBe(202);
    const row = await t.ctx.db.selectFrom('messages').select('to_numbers').where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.to_numbers)).toEqual(['+12025550123']);
    const contact = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: tenant.auth, payload: { name: 'Local Larry', phones: ['202 555 0199'] } });
    expect(contact.statusCode, contact.body).toBe(201);
    expect(contact.json().phones).toEqual(['+12025550199']);
    const optOut = await t.app.inject({ method: 'POST', url: '/api/v1/opt-outs', headers: tenant.auth, payload: { phone: '202-555-0177' } });
    expect(optOut.statusCode, optOut.body).toBe(201);
    expect(optOut.json().phone).toBe('+12025550177');
  });
});
