/** Conversation labels (issue 12): the tenant's catalogue, shared by the picker, the filter and the admin tab. */
import { useQuery } from '@tanstack/react-query';
import { api, isMissingApi } from './api';
import type { Label, Page } from './types';

/** null when the server has no labels API (an older server): the label UI then hides. */
export function useLabels() {
  return useQuery({
    queryKey: ['labels'],
    queryFn: async () => {
      try {
        return (await api<Page<Label>>('/labels')).items;
      } catch (error) {
        if (isMissingApi(error)) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}
