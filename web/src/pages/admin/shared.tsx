/** Pieces every admin area uses: data hooks, the copy button, error note and section card. */
import { useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, isMissingApi } from '../../lib/api';
import type { Page, ProviderAccount, ProviderType } from '../../lib/types';

export const useAccounts = () => useQuery({ queryKey: ['provider-accounts'], queryFn: () => api<Page<ProviderAccount>>('/provider-accounts'), select: (d) => d.items });
export interface Group {
  id: string;
  name: string;
  userIds: string[];
}
/** Groups (F15) may be missing on a server: then the pickers hide and the tab says so. */
export const useGroups = () =>
  useQuery({
    queryKey: ['groups'],
    queryFn: async () => {
      try {
        return (await api<Page<Group>>('/groups')).items;
      } catch (error) {
        if (isMissingApi(error)) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
export const useTypes = () => useQuery({ queryKey: ['provider-types'], queryFn: () => api<Page<ProviderType>>('/provider-types'), staleTime: 3600_000, select: (d) => d.items });

export function Copy({ text }: { text: string }) {
  const [done, setDone] = useState(false);
  return (
    <span className="copy">
      <code>{text}</code>
      <button
        type="button"
        className="link-button"
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(() => {
            setDone(true);
            setTimeout(() => setDone(false), 1500);
          });
        }}
      >
        {done ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

export { ErrorNote } from '../../components/FieldErrors';

export function Section({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <section className="card">
      <div className="section-head">
        <h2>{title}</h2>
        {action}
      </div>
      {children}
    </section>
  );
}

export const list = (text: string) =>
  text
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
