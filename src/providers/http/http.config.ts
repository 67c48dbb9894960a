/**
 * The account configuration of a generic HTTP provider (SPEC F35): the outbound request
 * template, how the carrier's answer is read, the inbound and receipt mappings and how
 * webhooks are authenticated. Stored as the JSON credential `config`; secrets (password, token,
 * webhook secret) are separate credentials so they are sealed and never shown back.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CredentialsError } from '../core/credentials.js';
import { parsePath, PathError } from './http.path.js';
import { checkTemplate, eachTemplateLeaf, TemplateError } from './http.template.js';

const OUR_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'] as const;
const Path = Type.String({ minLength: 1, maxLength: 200 });
const StatusCode = Type.Integer({ minimum: 100, maximum: 599 });

export const HttpConfigSchema = Type.Object(
  {
    request: Type.Object(
      {
        method: Type.Union([Type.Literal('POST'), Type.Literal('GET'), Type.Literal('PUT'), Type.Literal('PATCH')]),
        /** Absolute URL, or a path joined to the account's base URL. Outputs are percent-encoded. */
        url: Type.String({ minLength: 1, maxLength: 2000 }),
        headers: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$' }), Type.String({ maxLength: 2000 }))),
        auth: Type.Optional(
          Type.Object(
            {
              type: Type.Union([Type.Literal('none'), Type.Literal('basic'), Type.Literal('bearer'), Type.Literal('header'), Type.Literal('query')]),
              /** Header or query parameter name for `header` / `query` (the API key goes in the `token` credential). */
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
        ),
        bodyFormat: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('form'), Type.Literal('none')])),
        /** JSON: any JSON value whose string leaves are templates. Form: field name → template. */
        body: Type.Optional(Type.Unknown()),
      },
      { additionalProperties: false },
    ),
    response: Type.Optional(
      Type.Object(
        {
          /** Default: any 2xx. */
          successStatuses: Type.Optional(Type.Array(StatusCode, { minItems: 1, maxItems: 50 })),
          /** Optional extra rule: the value at successPath must equal successValue. */
          successPath: Type.Optional(Path),
          successValue: Type.Optional(Type.String({ maxLength: 200 })),
          /** Where the carrier's message id is; without it our own message id is the provider id. */
          messageIdPath: Type.Optional(Path),
          errorCodePath: Type.Optional(Path),
          errorMessagePath: Type.Optional(Path),
          /** Statuses that mean "try again later"; default 408, 425, 429, 500, 502, 503, 504. Any other failure is permanent. */
          retryStatuses: Type.Optional(Type.Array(StatusCode, { maxItems: 50 })),
          /** Error codes (at errorCodePath) that mean "try again later", whatever the status. */
          retryValues: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })),
        },
        { additionalProperties: false },
      ),
    ),
    inbound: Type.Optional(
      Type.Object(
        { from: Path, to: Path, body: Path, mediaUrls: Type.Optional(Path), messageId: Type.Optional(Path) },
        { additionalProperties: false },
      ),
    ),
    receipt: Type.Optional(
      Type.Object(
        {
          idPath: Path,
          statusPath: Path,
          /** Carrier status word (case-insensitive) → ours. */
          statuses: Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.Union(OUR_STATUSES.map((s) => Type.Literal(s)))),
          errorCodePath: Type.Optional(Path),
        },
        { additionalProperties: false },
      ),
    ),
    webhookAuth: Type.Optional(
      Type.Object(
        {
          /** `token` (default): the URL's secret token only. `header` / `hmac` add a check of the `webhookSecret` credential. */
          type: Type.Union([Type.Literal('token'), Type.Literal('header'), Type.Literal('hmac')]),
          header: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          encoding: Type.Optional(Type.Union([Type.Literal('hex'), Type.Literal('base64')])),
          /** Text before the digest in the header, e.g. `sha256=`. */
          prefix: Type.Optional(Type.String({ maxLength: 40 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type HttpConfig = Static<typeof HttpConfigSchema>;

export const MAX_CONFIG_LENGTH = 10_000;

/** The credentials of an http account: `config` (JSON text) plus optional secrets. */
export interface HttpCredentials {
  config: string;
  username?: string;
  password?: string;
  token?: string;
  webhookSecret?: string;
}

const fail = (field: string, message: string): never => {
  throw new CredentialsError(`credentials.config.${field}: ${message}`);
};

function checkPath(field: string, path: string | undefined): void {
  if (path === undefined) return;
  try {
    parsePath(path);
  } catch (error) {
    if (error instanceof PathError) fail(field, error.message);
    throw error;
  }
}

function checkTemplateAt(field: string, source: string): void {
  try {
    checkTemplate(source);
  } catch (error) {
    if (error instanceof TemplateError) fail(field, error.message);
    throw error;
  }
}

/** Parses and validates `config` text; every problem is a CredentialsError naming the field. */
export function parseHttpConfig(text: string): HttpConfig {
  if (text.length > MAX_CONFIG_LENGTH) throw new CredentialsError(`credentials.config is ${text.length} characters; the limit is ${MAX_CONFIG_LENGTH}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CredentialsError(`credentials.config is not JSON: ${(error as Error).message}`);
  }
  if (!Value.Check(HttpConfigSchema, raw)) {
    const first = Value.Errors(HttpConfigSchema, raw).First();
    const where = first?.path ? first.path.replace(/^\//, '').replace(/\//g, '.') : '';
    throw new CredentialsError(`credentials.config${where ? `.${where}` : ''}: ${first?.message ?? 'is not a valid configuration'}${first && first.value !== undefined && typeof first.value !== 'object' ? ` (got ${JSON.stringify(first.value)})` : ''}`);
  }
  const config = raw as HttpConfig;
  const { request } = config;
  checkTemplateAt('request.url', request.url);
  for (const [name, value] of Object.entries(request.headers ?? {})) checkTemplateAt(`request.headers.${name}`, value);
  const format = request.bodyFormat ?? (request.method === 'GET' ? 'none' : 'json');
  if (request.method === 'GET' && request.body !== undefined) fail('request.body', 'a GET request has no body; put the fields in request.url as a query');
  if (format === 'none' && request.body !== undefined) fail('request.body', 'bodyFormat is "none", so there can be no body');
  if (format !== 'none' && request.body === undefined) fail('request.body', `is required with bodyFormat "${format}"`);
  if (format === 'form') {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) fail('request.body', 'a form body is an object of field name → template');
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value !== 'string') fail(`request.body.${name}`, 'a form field is a template string');
      checkTemplateAt(`request.body.${name}`, value as string);
    }
  }
  if (format === 'json') {
    try {
      eachTemplateLeaf(request.body, 'request.body', (source, location) => checkTemplateAt(location, source));
    } catch (error) {
      if (error instanceof TemplateError) fail('request.body', error.message);
      throw error;
    }
  }
  const auth = request.auth ?? { type: 'none' };
  if ((auth.type === 'header' || auth.type === 'query') && !auth.name) fail('request.auth.name', `is required with auth type "${auth.type}" (the header or query parameter that carries the API key)`);
  const response = config.response ?? {};
  for (const key of ['successPath', 'messageIdPath', 'errorCodePath', 'errorMessagePath'] as const) checkPath(`response.${key}`, response[key]);
  if ((response.successPath === undefined) !== (response.successValue === undefined)) fail('response.successValue', 'successPath and successValue go together');
  if (config.inbound) for (const key of ['from', 'to', 'body', 'mediaUrls', 'messageId'] as const) checkPath(`inbound.${key}`, config.inbound[key]);
  if (config.receipt) {
    for (const key of ['idPath', 'statusPath', 'errorCodePath'] as const) checkPath(`receipt.${key}`, config.receipt[key]);
    if (Object.keys(config.receipt.statuses).length === 0) fail('receipt.statuses', 'map at least one carrier status word to ours');
  }
  return config;
}

/** Validates an http account's credentials as a whole (config plus the secrets it needs). */
export function validateHttpCredentials(credentials: Record<string, string>): void {
  if (!credentials.config) throw new CredentialsError('credentials.config (request and mapping configuration) is required for http');
  const config = parseHttpConfig(credentials.config);
  const auth = config.request.auth?.type ?? 'none';
  if (auth === 'basic' && !credentials.username) throw new CredentialsError('credentials.username is required with auth type "basic"');
  if ((auth === 'bearer' || auth === 'header' || auth === 'query') && !credentials.token) throw new CredentialsError(`credentials.token is required with auth type "${auth}"`);
  const webhook = config.webhookAuth?.type ?? 'token';
  if (webhook !== 'token' && !credentials.webhookSecret) throw new CredentialsError(`credentials.webhookSecret is required with webhookAuth type "${webhook}"`);
}
