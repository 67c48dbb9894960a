/** Issue 12, item 8: API errors are tied to the form field they name, in words. */
import { describe, expect, it } from 'vitest';
import { describeApiMessage, formFieldError } from '../../web/src/lib/api-errors.js';

describe('describeApiMessage', () => {
  it('puts schema errors in words with the field path', () => {
    expect(describeApiMessage('body.destinations.emails.1 must match format "email"')).toEqual({ field: 'destinations.emails.1', message: 'Emails (destinations) #2 is not an email address' });
    expect(describeApiMessage('body.name is required')).toEqual({ field: 'name', message: 'Name is required' });
    expect(describeApiMessage('a contact with this phone exists')).toEqual({ field: null, message: 'a contact with this phone exists' });
    // Capability refusals at send (destination_unsupported, body_too_long, …) are shown in the server's words.
    const abroad = 'to "+447700900123" is outside the countries voipms carries (US and Canada: +1 and 10 digits); send it from a number on a carrier that reaches it';
    expect(describeApiMessage(abroad)).toEqual({ field: null, message: abroad });
  });
});

describe('formFieldError', () => {
  const fields = ['name', 'email', 'mobile', 'destinations.emails', 'credentials', 'credentials.accountSid'] as const;

  it('maps a schema error to the form field that holds it, the longest match winning', () => {
    expect(formFieldError('body.destinations.emails.1 must match format "email"', fields)).toEqual({ field: 'destinations.emails', message: 'Emails (destinations) #2 is not an email address' });
    expect(formFieldError('body.credentials.accountSid must NOT have more than 100 characters', fields).field).toBe('credentials.accountSid');
    expect(formFieldError('body.credentials.authToken must NOT have fewer than 1 characters', fields)).toEqual({ field: 'credentials', message: 'Auth token (credentials) is required' });
    expect(formFieldError('body.email must match format "email"', fields)).toEqual({ field: 'email', message: 'Email is not an email address' });
  });

  it('maps the server’s own messages that start with a field name', () => {
    expect(formFieldError('mobile "abc" is not a valid phone number', fields)).toEqual({ field: 'mobile', message: 'Mobile "abc" is not a valid phone number' });
    expect(formFieldError('name: already taken', fields)).toEqual({ field: 'name', message: 'Name: already taken' });
    expect(formFieldError('phones[1] "abc" is not a valid phone number', ['name', 'phones'])).toEqual({ field: 'phones', message: 'Phones #2 "abc" is not a valid phone number' });
  });

  it('leaves errors about no field of this form to the form-wide note', () => {
    expect(formFieldError('body.role must be one of agent, admin, owner', fields)).toEqual({ field: null, message: 'Role must be one of agent, admin, owner' });
    expect(formFieldError('the email address is already used by another user', fields)).toEqual({ field: null, message: 'the email address is already used by another user' });
    // "names" is not "name": a field matches whole path segments only
    expect(formFieldError('names must be unique', fields).field).toBeNull();
  });
});
