import { useQuery } from '@tanstack/react-query';
import { api } from './api';
import type { Page, ProviderType } from './types';

/** The longest body a carrier type accepts (its manifest's maxBodyLength), for warning before Send. */
export function useMaxBodyLength(providerType: string | null | undefined): number | undefined {
  const types = useQuery({ queryKey: ['provider-types'], queryFn: () => api<Page<ProviderType>>('/provider-types'), staleTime: 3600_000 });
  const value = types.data?.items.find((t) => t.type === providerType)?.capabilities.maxBodyLength;
  return typeof value === 'number' ? value : undefined;
}
