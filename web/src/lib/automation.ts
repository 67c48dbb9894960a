/** Issue 9 shapes and queries: tenant settings, templates, cases, audit log. */
import { useQuery } from '@tanstack/react-query';
import { api } from './api';
import type { Message, Page } from './types';

export interface SendLaterPreset {
  label: string;
  minutes?: number;
  time?: string;
  dayOffset?: number;
  weekday?: number;
  /** When the preset means now, computed by the server in the tenant's time zone. */
  nextAt?: string;
}

export interface TenantSettings {
  id: string;
  name: string;
  timeZone: string;
  defaultCountry: string | null;
  sendLaterPresets: SendLaterPreset[];
  helpText: string;
  optOutReply: string;
  optInReply: string;
  auditRetentionDays: number;
  documentLinkDays: number;
}

export interface Template {
  id: string;
  name: string;
  body: string;
  mediaIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface RenderedTemplate {
  text: string;
  emptyVariables: string[];
  encoding: string;
  segments: number;
  mediaIds: string[];
}

export interface Case {
  id: string;
  token: string;
  title: string;
  status: 'open' | 'closed';
  contactId: string | null;
  conversationId: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  lastOutboundAt: string | null;
  messageCount?: number;
  messages?: Message[];
}

export interface AuditEntry {
  id: string;
  createdAt: string;
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null; name: string | null };
  sourceIp: string | null;
  action: string;
  target: { type: string; id: string | null; label: string | null };
  changes: Record<string, unknown> | null;
}

export const useTenantSettings = () => useQuery({ queryKey: ['tenant'], queryFn: () => api<TenantSettings>('/tenant'), staleTime: 30_000 });
export const useTemplates = () => useQuery({ queryKey: ['templates'], queryFn: () => api<Page<Template>>('/templates', { query: { limit: 500 } }), select: (d) => d.items });

/** The organisation's send-later presets as moments, computed by the server in its time zone. */
export function useSendLaterPresets(): Array<{ label: string; at: Date }> {
  const settings = useTenantSettings();
  return (settings.data?.sendLaterPresets ?? []).filter((p) => p.nextAt).map((p) => ({ label: p.label, at: new Date(p.nextAt!) }));
}

/** Files sent as a link (F20) rather than as MMS media; pictures, audio and video stay MMS. */
export const DOCUMENT_TYPES = [
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/rtf',
  'application/zip',
  'text/csv',
];
export const isDocumentType = (type: string) => DOCUMENT_TYPES.includes(type.toLowerCase());
