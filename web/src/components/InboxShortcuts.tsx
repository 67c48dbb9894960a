/**
 * Inbox keyboard shortcuts (issue 12): j/k next/previous conversation, r reply, e resolve,
 * / search, ? this list. Keys typed into a field are left alone.
 */
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';

const SHORTCUTS: Array<[string, string]> = [
  ['j', 'Next conversation'],
  ['k', 'Previous conversation'],
  ['r', 'Reply'],
  ['e', 'Resolve the open conversation'],
  ['/', 'Search'],
  ['?', 'Show this list'],
];

function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return Boolean(element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName)));
}

function openConversationId(): string | undefined {
  const match = /^\/inbox\/([^/?#]+)/.exec(window.location.pathname);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

export function useInboxShortcuts({ ids, search }: { ids: string[]; search: string }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [helpOpen, setHelpOpen] = useState(false);
  // Read at key time, so a key pressed right after a navigation sees the new conversation.
  const latest = useRef({ ids, search });
  latest.current = { ids, search };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') return setHelpOpen(false);
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const { ids, search } = latest.current;
      // The address, not the last render, says which thread is open: keys pressed in quick
      // succession arrive before React has rendered the previous one's navigation.
      const currentId = openConversationId();
      const go = (step: number) => {
        if (ids.length === 0) return;
        const index = currentId ? ids.indexOf(currentId) : -1;
        const next = ids[Math.min(ids.length - 1, Math.max(0, index + step))];
        if (next && next !== currentId) navigate(`/inbox/${next}${search ? `?${search}` : ''}`);
      };
      const handled: Record<string, () => void> = {
        j: () => go(1),
        k: () => go(-1),
        r: () => document.querySelector<HTMLTextAreaElement>('.reply textarea')?.focus(),
        e: () => {
          if (!currentId) return;
          void api(`/conversations/${currentId}/status`, { method: 'POST', body: { status: 'resolved' } }).then(() => {
            void client.invalidateQueries({ queryKey: ['conversations'] });
            void client.invalidateQueries({ queryKey: ['conversation', currentId] });
          });
        },
        '/': () => {
          // On a phone the list (and its search box) is hidden while a thread is open: go back to it first.
          const box = () => document.querySelector<HTMLInputElement>('input[aria-label="Search conversations"]');
          if (box()?.offsetParent) return box()!.focus();
          navigate(`/inbox${search ? `?${search}` : ''}`);
          // The list renders when the navigation's transition commits, which may take a while on
          // a busy phone: focus the box once it is on screen.
          const until = Date.now() + 3000;
          const focusWhenShown = () => {
            const shown = box();
            if (shown?.offsetParent) shown.focus();
            else if (Date.now() < until) setTimeout(focusWhenShown, 25);
          };
          focusWhenShown();
        },
        '?': () => setHelpOpen((open) => !open),
      };
      const action = handled[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, client]);
  return { helpOpen, closeHelp: () => setHelpOpen(false) };
}

export function ShortcutHelp({ onClose }: { onClose(): void }) {
  return (
    <div className="shortcut-help card" role="dialog" aria-modal="false" aria-label="Keyboard shortcuts" data-testid="shortcut-help">
      <h2>Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([key, label]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{label}</dd>
          </div>
        ))}
      </dl>
      <button className="secondary small" onClick={onClose} autoFocus>
        Close (Esc)
      </button>
    </div>
  );
}
