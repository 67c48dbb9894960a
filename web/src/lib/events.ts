/**
 * Live updates (F9): one EventSource on GET /api/v1/events per signed-in tab. Each event
 * refreshes the queries it affects, so lists and threads change without a reload.
 */
import { useEffect, useState } from 'react';
import { onNetworkState } from './api';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Message, Page } from './types';

export type LiveState = 'connecting' | 'live' | 'offline';

type Listener = (type: string, data: Record<string, unknown>) => void;
const listeners = new Set<Listener>();

/** Extra subscribers (the sandbox phone, toasts). */
export function onLiveEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function patchMessageStatus(client: QueryClient, data: { id?: string; conversationId?: string; status?: string; error?: Message['error'] }) {
  if (!data.conversationId || !data.id) return;
  // Update the visible thread at once; the refetch below brings the full history.
  client.setQueriesData<{ pages: Array<Page<Message>> }>({ queryKey: ['thread', data.conversationId] }, (old) => {
    if (!old) return old;
    return {
      ...old,
      pages: old.pages.map((page) => ({
        ...page,
        items: page.items.map((m) =>
          m.id === data.id && data.status && data.status !== m.status
            ? { ...m, status: data.status, error: data.error ?? m.error, history: [...m.history, { status: data.status, at: new Date().toISOString() }] }
            : m,
        ),
      })),
    };
  });
}

// Refetches are batched: under a burst of events (hundreds a second) each affected query is
// refreshed at most once per FLUSH_MS instead of once per event.
const FLUSH_MS = 200;
const pending = new Map<string, readonly unknown[]>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function invalidateSoon(client: QueryClient, queryKey: readonly unknown[]) {
  pending.set(JSON.stringify(queryKey), queryKey);
  if (flushTimer) return;
  flushTimer = setTimeout(() => {
    flushTimer = null;
    const keys = [...pending.values()];
    pending.clear();
    for (const key of keys) void client.invalidateQueries({ queryKey: key });
  }, FLUSH_MS);
}

function handle(client: QueryClient, type: string, data: Record<string, unknown>) {
  // Notes change no message or list; their own views listen for them (lib/notes.ts, MentionToasts).
  if (type.startsWith('note.')) return void listeners.forEach((listener) => listener(type, data));
  const conversationId = (type === 'conversation.updated' ? data.id : data.conversationId) as string | undefined;
  if (type === 'message.status') patchMessageStatus(client, data as never);
  if (conversationId) {
    invalidateSoon(client, ['thread', conversationId]);
    invalidateSoon(client, ['conversation', conversationId]);
  }
  invalidateSoon(client, ['conversations']);
  // A label renamed, recoloured or deleted: the catalogue and every open thread's chips.
  if (type === 'labels.changed') {
    invalidateSoon(client, ['labels']);
    invalidateSoon(client, ['conversation']);
  } else if (type !== 'conversation.updated') {
    invalidateSoon(client, ['logs']);
    invalidateSoon(client, ['phone']);
  }
  for (const listener of listeners) listener(type, data);
}

export function useLiveEvents(enabled: boolean): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;
    let openedBefore = false;
    const types = ['message.received', 'message.status', 'message.created', 'conversation.updated', 'labels.changed', 'note.created', 'note.deleted', 'note.mention'];
    const connect = () => {
      source = new EventSource('/api/v1/events', { withCredentials: true });
      const current = source;
      for (const type of types) {
        current.addEventListener(type, (event: MessageEvent<string>) => {
          try {
            handle(client, type, JSON.parse(event.data) as Record<string, unknown>);
          } catch {
            // ignore a malformed event
          }
        });
      }
      current.onopen = () => {
        failures = 0;
        setState('live');
        // Catch up on anything missed while disconnected.
        void client.invalidateQueries(openedBefore ? undefined : { queryKey: ['conversations'] });
        openedBefore = true;
      };
      current.onerror = () => {
        if (current.readyState !== EventSource.CLOSED) return setState('connecting');
        // The browser gave up (the server answered with an error): try again with backoff.
        setState('offline');
        current.close();
        failures += 1;
        if (!stopped) retryTimer = setTimeout(connect, reconnectDelayMs(failures));
      };
    };
    connect();
    // A request that could not reach the server means we are offline, whatever the stream last said.
    const unsubscribe = onNetworkState((reachable) => {
      if (!reachable) setState('offline');
      else if (source?.readyState === EventSource.OPEN) setState('live');
    });
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      unsubscribe();
      source?.close();
    };
  }, [enabled, client]);
  return state;
}

/** 1 s, 2 s, 4 s … up to 30 s between reconnection attempts. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}
