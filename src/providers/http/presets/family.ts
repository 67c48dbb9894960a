/**
 * Every provider type built on the generic HTTP adapter, with the function that turns an
 * account's credentials into the http configuration (the Try-it preview uses it).
 */
import { CredentialsError } from '../../core/credentials.js';
import { parseHttpConfig, validateHttpCredentials, type HttpConfig, type HttpCredentials } from '../http.config.js';
import { airenetworksConfig } from './airenetworks.preset.js';

export type ResolveHttpConfig = (credentials: Record<string, string>) => { config: HttpConfig; credentials: Partial<HttpCredentials> };

export const httpPresetFamily = new Map<string, ResolveHttpConfig>([
  [
    'http',
    (credentials) => {
      if (!credentials.config) throw new CredentialsError('credentials.config (request and mapping configuration) is required for http');
      validateHttpCredentials(credentials);
      return { config: parseHttpConfig(credentials.config), credentials };
    },
  ],
  ['airenetworks', airenetworksConfig],
]);
