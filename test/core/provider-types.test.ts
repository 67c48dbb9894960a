import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerModule } from '../../src/providers/core/registry.js';
import { createTestApp, createTestTenant, type Tenant, type TestApp } from '../helper.js';

/**
 * GET /api/v1/provider-types for the carrier types of issue 13: each is listed with its credential
 * fields and variables, its limits and what it can carry. The expected values are written out here,
 * not read from the manifests, so a manifest that changes by mistake fails this test.
 */
interface Listed {
  type: string;
  displayName: string;
  logoText: string | null;
  tryIt: boolean;
  defaultBaseUrl: string;
  baseUrlEnv: string;
  credentials: Array<{ key: string; env: string; secret: boolean; required: boolean }>;
  capabilities: Record<string, unknown>;
}

/** [key, environment variable, secret, required] */
type Field = [string, string, boolean, boolean];
interface Expected {
  fields: Field[];
  /** groupMms absent means false; destinations absent means anywhere ('any' here). */
  capabilities: { statusCallbacks: boolean; mms: boolean; groupMms: boolean; senderId: boolean; destinations: 'nanp' | 'any'; maxBodyLength: number; maxMediaCount: number; maxMediaBytes: number; defaultMps: number; signedWebhooks: boolean };
  extra?: Partial<Listed>;
}

const MB = 1024 * 1024;
const EXPECTED: Record<string, Expected> = {
  commio: {
    fields: [['accountId', 'COMMIO_ACCOUNT_ID', false, true], ['username', 'COMMIO_USERNAME', false, true], ['apiToken', 'COMMIO_API_TOKEN', true, true]],
    capabilities: { statusCallbacks: true, mms: true, groupMms: false, senderId: false, destinations: 'nanp', maxBodyLength: 1600, maxMediaCount: 1, maxMediaBytes: MB, defaultMps: 1, signedWebhooks: false },
  },
  flowroute: {
    fields: [['accessKey', 'FLOWROUTE_ACCESS_KEY', false, true], ['secretKey', 'FLOWROUTE_SECRET_KEY', true, true]],
    capabilities: { statusCallbacks: true, mms: true, groupMms: false, senderId: false, destinations: 'any', maxBodyLength: 1600, maxMediaCount: 10, maxMediaBytes: 750 * 1024, defaultMps: 5, signedWebhooks: false },
  },
  voipms: {
    fields: [['apiUsername', 'VOIPMS_API_USERNAME', false, true], ['apiPassword', 'VOIPMS_API_PASSWORD', true, true]],
    // No delivery receipts at all: messages end at `sent`.
    capabilities: { statusCallbacks: false, mms: true, groupMms: false, senderId: false, destinations: 'nanp', maxBodyLength: 1600, maxMediaCount: 3, maxMediaBytes: MB, defaultMps: 1, signedWebhooks: false },
    extra: { defaultBaseUrl: 'https://voip.ms/api/v1/rest.php' },
  },
  questblue: {
    fields: [['login', 'QUESTBLUE_LOGIN', false, true], ['password', 'QUESTBLUE_PASSWORD', true, true], ['securityKey', 'QUESTBLUE_SECURITY_KEY', true, true]],
    capabilities: { statusCallbacks: true, mms: true, groupMms: false, senderId: false, destinations: 'nanp', maxBodyLength: 1600, maxMediaCount: 1, maxMediaBytes: MB, defaultMps: 1, signedWebhooks: false },
  },
  voxtelesys: {
    fields: [['apiKey', 'VOXTELESYS_API_KEY', true, true]],
    capabilities: { statusCallbacks: true, mms: true, groupMms: false, senderId: false, destinations: 'any', maxBodyLength: 1530, maxMediaCount: 10, maxMediaBytes: MB, defaultMps: 1, signedWebhooks: false },
  },
  wavix: {
    fields: [['apiKey', 'WAVIX_API_KEY', true, true]],
    // The only one of these with alphanumeric sender IDs; up to 5 media URLs.
    capabilities: { statusCallbacks: true, mms: true, groupMms: false, senderId: true, destinations: 'any', maxBodyLength: 1530, maxMediaCount: 5, maxMediaBytes: MB, defaultMps: 1, signedWebhooks: false },
  },
  voipinnovations: {
    fields: [['apiKey', 'VOIPINNOVATIONS_API_KEY', false, true], ['apiSecret', 'VOIPINNOVATIONS_API_SECRET', true, true]],
    capabilities: { statusCallbacks: false, mms: true, groupMms: false, senderId: false, destinations: 'any', maxBodyLength: 1530, maxMediaCount: 10, maxMediaBytes: MB, defaultMps: 1, signedWebhooks: false },
  },
  voicemeup: {
    fields: [['username', 'VOICEMEUP_USERNAME', false, true], ['authToken', 'VOICEMEUP_AUTH_TOKEN', true, true]],
    capabilities: { statusCallbacks: false, mms: true, groupMms: false, senderId: false, destinations: 'any', maxBodyLength: 1000, maxMediaCount: 1, maxMediaBytes: MB, defaultMps: 1, signedWebhooks: false },
  },
  airenetworks: {
    fields: [
      ['url', 'AIRENETWORKS_URL', false, true],
      ['username', 'AIRENETWORKS_USERNAME', false, true],
      ['password', 'AIRENETWORKS_PASSWORD', true, true],
      ['senderId', 'AIRENETWORKS_SENDER_ID', false, false],
      ['numberFormat', 'AIRENETWORKS_NUMBER_FORMAT', false, false],
      ['bodyFormat', 'AIRENETWORKS_BODY_FORMAT', false, false],
      ['messageIdPath', 'AIRENETWORKS_MESSAGE_ID_PATH', false, false],
    ],
    // A preset of the generic HTTP provider: SMS only, sender IDs, no receipts, unpaced.
    capabilities: { statusCallbacks: false, mms: false, groupMms: false, senderId: true, destinations: 'any', maxBodyLength: 1600, maxMediaCount: 0, maxMediaBytes: 0, defaultMps: 0, signedWebhooks: false },
    extra: { logoText: 'AIRE', tryIt: true, defaultBaseUrl: '' },
  },
  bulkvs: {
    // FS PBX's names; none is required alone (username + token, or the ready-made Basic header).
    fields: [['apiUsername', 'BULKVS_API_USERNAME', false, false], ['apiToken', 'BULKVS_API_TOKEN', true, false], ['basicAuthHeader', 'BULKVS_BASIC_AUTH_HEADER', true, false]],
    // 11-digit NANP numbers; 160 characters.
    capabilities: { statusCallbacks: true, mms: true, groupMms: false, senderId: false, destinations: 'nanp', maxBodyLength: 160, maxMediaCount: 10, maxMediaBytes: MB, defaultMps: 1, signedWebhooks: false },
  },
  skyetel: {
    fields: [['sid', 'SKYETEL_SID', false, true], ['secret', 'SKYETEL_SECRET', true, true]],
    capabilities: { statusCallbacks: false, mms: true, groupMms: false, senderId: false, destinations: 'nanp', maxBodyLength: 1024, maxMediaCount: 10, maxMediaBytes: 1_500_000, defaultMps: 1, signedWebhooks: false },
  },
};

describe('GET /api/v1/provider-types for the issue-13 carriers', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let listed: Map<string, Listed>;

  beforeAll(async () => {
    harness = await createTestApp({ workers: false });
    tenant = await createTestTenant(harness.ctx);
    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/provider-types', headers: tenant.auth });
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as Listed[];
    listed = new Map(items.map((item) => [item.type, item]));
    expect(listed.size, 'each type is listed once').toBe(items.length);
  });
  afterAll(async () => {
    await harness?.close();
  });

  for (const [type, expected] of Object.entries(EXPECTED)) {
    it(`lists ${type} with its credential fields, variables and capabilities`, () => {
      const item = listed.get(type);
      expect(item, `${type} is listed`).toBeDefined();
      const manifest = providerModule(type)!.manifest;
      const prefix = type.toUpperCase();
      expect(manifest.envPrefix).toBe(prefix);

      expect(item!.credentials.map((field): Field => [field.key, field.env, field.secret, field.required])).toEqual(expected.fields);
      expect(item!.credentials.every((field) => field.env.startsWith(`${prefix}_`))).toBe(true);
      expect(item!.baseUrlEnv).toBe(`${prefix}_BASE_URL`);
      expect(item!.displayName).toBe(manifest.displayName);

      const capabilities = item!.capabilities;
      expect(capabilities, 'listed as the manifest declares').toEqual(manifest.capabilities);
      expect({
        statusCallbacks: capabilities.statusCallbacks,
        mms: capabilities.mms,
        groupMms: capabilities.groupMms ?? false,
        senderId: capabilities.senderId,
        destinations: capabilities.destinations ?? 'any',
        maxBodyLength: capabilities.maxBodyLength,
        maxMediaCount: capabilities.maxMediaCount,
        maxMediaBytes: capabilities.maxMediaBytes,
        defaultMps: capabilities.defaultMps,
        signedWebhooks: capabilities.signedWebhooks,
      }).toEqual(expected.capabilities);
      expect(capabilities.sms).toBe(true);
      expect(item).toMatchObject({ tryIt: false, logoText: null, defaultBaseUrl: manifest.defaultBaseUrl, ...expected.extra });
    });
  }
});
