/** Contacts (F21) may not be installed on every server: the dashboard asks once and hides what is missing. */
import { useQuery } from '@tanstack/react-query';
import { api, isMissingApi } from './api';
import type { Contact, Page } from './types';

export function useContactsAvailable(): { available: boolean; loading: boolean } {
  const query = useQuery({
    queryKey: ['contacts-available'],
    queryFn: async () => {
      try {
        await api<Page<Contact>>('/contacts', { query: { limit: 1 } });
        return true;
      } catch (error) {
        if (isMissingApi(error)) return false;
        throw error;
      }
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
  return { available: query.data === true, loading: query.isLoading };
}

export function useContactSearch(q: string, enabled: boolean) {
  return useQuery({
    queryKey: ['contacts', 'search', q],
    queryFn: () => api<Page<Contact>>('/contacts', { query: { q: q || undefined, limit: 20 } }),
    enabled,
    staleTime: 30_000,
  });
}
