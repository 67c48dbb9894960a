/**
 * Request validation for every route. Bodies are validated without type coercion ("5" is not a
 * number); query strings and path parameters arrive as text, so those are coerced.
 *
 * Each route's schema is compiled the first time a request reaches it, not at start-up: the
 * API has a few hundred schemas and compiling them all made start-up wait most of a second for
 * routes a node may never serve. A schema is still compiled once and reused.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

function newAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ removeAdditional: false, coerceTypes, useDefaults: true, allErrors: false, strict: false });
  return ajv.addFormat('date-time', (v: string) => !Number.isNaN(Date.parse(v))).addFormat('email', /^[^@\s]+@[^@\s]+$/);
}

type LazyValidator = ((data: unknown, context?: object) => boolean) & { errors?: ValidateFunction['errors']; schemaEnv?: true };

function compileOnFirstUse(ajv: Ajv, schema: object): LazyValidator {
  let validate: ValidateFunction | undefined;
  const lazy: LazyValidator = (data, context) => {
    validate ??= ajv.compile(schema);
    const valid = validate(data, context as never);
    lazy.errors = validate.errors;
    return valid;
  };
  // Tells Fastify to pass the parent object, so Ajv may coerce or default the root value itself.
  lazy.schemaEnv = true;
  return lazy;
}

export function requestValidatorCompiler(): FastifySchemaCompiler<object> {
  const strict = newAjv(false);
  const coercing = newAjv('array');
  return ({ schema, httpPart }) => compileOnFirstUse(httpPart === 'body' ? strict : coercing, schema);
}
