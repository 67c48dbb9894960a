/** Private notes of a thread (issue 12): the API's shapes, the query that keeps them live, and their place in the timeline. */
import { useEffect, useMemo } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api';
import { onLiveEvent } from './events';
import type { Message, Page } from './types';

export interface Note {
  id: string;
  conversationId: string;
  body: string;
  authorId: string | null;
  author: { id: string; name: string } | null;
  mentionedUserIds: string[];
  mentions: Array<{ id: string; name: string; handle: string }>;
  createdAt: string;
}

export interface Mentionable {
  id: string;
  name: string;
  handle: string;
}

export type TimelineItem = { kind: 'message'; message: Message } | { kind: 'note'; note: Note };

/** The newest notes of a thread, refreshed when a note is written or deleted anywhere. */
export function useNotes(conversationId: string) {
  const client = useQueryClient();
  useEffect(
    () =>
      onLiveEvent((type, data) => {
        if ((type === 'note.created' || type === 'note.deleted') && data.conversationId === conversationId) void client.invalidateQueries({ queryKey: ['notes', conversationId] });
      }),
    [client, conversationId],
  );
  return useQuery({ queryKey: ['notes', conversationId], queryFn: () => api<Page<Note>>(`/conversations/${conversationId}/notes`, { query: { limit: 200 } }) });
}

/**
 * Messages (oldest first) with the thread's notes between them in time order. While older messages
 * are still unloaded, notes older than the oldest loaded message wait for them.
 */
export function useTimeline(conversationId: string, messages: Message[], hasOlderMessages: boolean) {
  const notes = useNotes(conversationId);
  return useMemo(() => {
    const oldest = messages[0]?.createdAt;
    const shown = (notes.data?.items ?? []).filter((note) => !hasOlderMessages || !oldest || note.createdAt >= oldest).slice().reverse();
    const items: TimelineItem[] = [];
    let n = 0;
    for (const message of messages) {
      while (n < shown.length && shown[n]!.createdAt < message.createdAt) items.push({ kind: 'note', note: shown[n++]! });
      items.push({ kind: 'message', message });
    }
    while (n < shown.length) items.push({ kind: 'note', note: shown[n++]! });
    const last = items.at(-1);
    return { items, newestId: last ? (last.kind === 'note' ? last.note.id : last.message.id) : undefined };
  }, [messages, notes.data, hasOlderMessages]);
}

/** The `@word` being typed just before the caret, if any: where it starts and what is typed so far. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|[^\p{L}\p{N}_.@-])@([\p{L}\p{N}_.+-]{0,64})$/u.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[1]!;
  return { start: caret - query.length - 1, query: query.toLowerCase() };
}

/** Splits a note body into text and `@handle` parts that name someone it mentions. */
export function splitMentions(body: string, handles: Set<string>): Array<{ text: string; mention: boolean }> {
  const parts: Array<{ text: string; mention: boolean }> = [];
  let last = 0;
  for (const match of body.matchAll(/(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_][\p{L}\p{N}_.+-]{0,63})/gu)) {
    const handle = match[1]!.replace(/[.+-]+$/, '').toLowerCase();
    if (!handles.has(handle)) continue;
    const start = match.index!;
    const end = start + 1 + match[1]!.replace(/[.+-]+$/, '').length;
    if (start > last) parts.push({ text: body.slice(last, start), mention: false });
    parts.push({ text: body.slice(start, end), mention: true });
    last = end;
  }
  if (last < body.length) parts.push({ text: body.slice(last), mention: false });
  return parts;
}
