/**
 * Canned replies in the thread composer (issue 12, F24 templates): typing `/` at the start of the
 * text or after a space, or the Templates button, opens a list of the tenant's templates filtered
 * by name (arrows, Enter, Escape). The chosen template is rendered by the server for the
 * conversation's contact (POST /templates/:id/render) and the result, with its media, goes into the
 * editor; variables that rendered blank are reported so the agent checks the text before sending.
 */
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import type { RenderedTemplate, Template } from '../lib/automation';
import type { Page } from '../lib/types';
import './thread.css';

export interface CannedInsert {
  /** The part of the text to replace: the `/query` typed, or the selection when opened from the button. */
  start: number;
  end: number;
  text: string;
  mediaIds: string[];
  templateName: string;
  emptyVariables: string[];
}

interface MenuState {
  source: 'slash' | 'button';
  start: number;
  end: number;
  query: string;
}

/** A `/query` ending at the caret, typed at the start of the text or after whitespace. */
export function slashTrigger(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|\s)\/([^\s/]{0,60})$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[1]!.length - 1, query: match[1]! };
}

const normalise = (value: string) => value.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** Templates whose name contains the query (ignoring case, spaces and punctuation); names starting with it first. */
export function filterTemplates(templates: Template[], query: string): Template[] {
  const wanted = normalise(query);
  if (!wanted) return templates;
  const matching = templates.filter((t) => normalise(t.name).includes(wanted));
  return [...matching.filter((t) => normalise(t.name).startsWith(wanted)), ...matching.filter((t) => !normalise(t.name).startsWith(wanted))];
}

export function useCannedReplies(options: { enabled: boolean; to: string | null; onInsert(insert: CannedInsert): void }) {
  const templates = useQuery({
    queryKey: ['templates'],
    queryFn: () => api<Page<Template>>('/templates', { query: { limit: 500 } }),
    select: (d) => d.items,
    enabled: options.enabled,
    staleTime: 30_000,
  });
  const [menu, setMenu] = useState<MenuState | null>(null);
  const [active, setActive] = useState(0);
  // Escape closes the list for this `/`; typing on does not reopen it until a new `/` is typed.
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const all = templates.data ?? [];
  const matches = useMemo(() => (menu ? filterTemplates(all, menu.query) : []), [all, menu]);
  const listId = useId();
  const open = Boolean(menu) && (menu!.source === 'button' || matches.length > 0);

  const close = () => {
    setMenu(null);
    setActive(0);
  };

  /** Called on every change and caret move in the textarea. */
  const onTextChange = (text: string, caret: number) => {
    if (!options.enabled) return;
    const trigger = slashTrigger(text, caret);
    if (!trigger) {
      setDismissedAt(null);
      if (menu?.source === 'slash') close();
      return;
    }
    if (trigger.start === dismissedAt || menu?.source === 'button') return;
    if (!menu || menu.query !== trigger.query || menu.start !== trigger.start) setActive(0);
    setMenu({ source: 'slash', start: trigger.start, end: caret, query: trigger.query });
  };

  const openFromButton = (selectionStart: number, selectionEnd: number) => {
    setError(null);
    if (menu?.source === 'button') return close();
    setActive(0);
    setMenu({ source: 'button', start: selectionStart, end: selectionEnd, query: '' });
  };

  const pick = async (template: Template | undefined) => {
    if (!template || !menu || busy) return;
    setBusy(true);
    setError(null);
    try {
      const rendered = await api<RenderedTemplate>(`/templates/${template.id}/render`, { method: 'POST', body: { ...(options.to ? { to: options.to } : {}), variables: {} } });
      options.onInsert({ start: menu.start, end: menu.end, text: rendered.text.trim(), mediaIds: rendered.mediaIds, templateName: template.name, emptyVariables: rendered.emptyVariables });
      close();
    } catch (err) {
      setError(`${template.name}: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  /** Keys for the open list, from the textarea or the list's own search box; true when handled. */
  const onKeyDown = (event: KeyboardEvent): boolean => {
    if (!open || !menu) return false;
    if (event.key === 'Escape') {
      if (menu.source === 'slash') setDismissedAt(menu.start);
      close();
    } else if (event.key === 'ArrowDown' && matches.length > 0) {
      setActive((active + 1) % matches.length);
    } else if (event.key === 'ArrowUp' && matches.length > 0) {
      setActive((active - 1 + matches.length) % matches.length);
    } else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.ctrlKey && !event.metaKey && matches.length > 0) {
      void pick(matches[Math.min(active, matches.length - 1)]);
    } else {
      return false;
    }
    event.preventDefault();
    event.stopPropagation();
    return true;
  };

  return {
    available: options.enabled && all.length > 0,
    open,
    menu,
    matches,
    active: Math.min(active, Math.max(0, matches.length - 1)),
    busy,
    error,
    listId,
    activeOptionId: open && matches.length > 0 ? `${listId}-${Math.min(active, matches.length - 1)}` : undefined,
    setActive,
    setQuery: (query: string) => {
      if (menu) setMenu({ ...menu, query });
      setActive(0);
    },
    clearError: () => setError(null),
    onTextChange,
    openFromButton,
    pick,
    onKeyDown,
    close,
  };
}

export type CannedReplies = ReturnType<typeof useCannedReplies>;

/** The popup list above the composer. */
export function CannedRepliesMenu({ canned, onClose }: { canned: CannedReplies; onClose(): void }) {
  if (!canned.open || !canned.menu) return null;
  const { menu, matches } = canned;
  return (
    <div className="canned-menu card" data-testid="canned-menu">
      {menu.source === 'button' && (
        <input
          type="search"
          autoFocus
          className="canned-search"
          placeholder="Find a template"
          aria-label="Find a template"
          role="combobox"
          aria-expanded
          aria-controls={canned.listId}
          aria-activedescendant={canned.activeOptionId}
          value={menu.query}
          onChange={(e) => canned.setQuery(e.target.value)}
          onKeyDown={(e) => {
            const wasEscape = e.key === 'Escape';
            if (canned.onKeyDown(e) && wasEscape) onClose();
          }}
        />
      )}
      <ul className="canned-list" role="listbox" id={canned.listId} aria-label="Templates">
        {matches.map((template, index) => (
          <li
            key={template.id}
            id={`${canned.listId}-${index}`}
            role="option"
            aria-selected={index === canned.active}
            className={index === canned.active ? 'active' : undefined}
            data-testid="canned-option"
            // mousedown, not click: the textarea keeps focus and its caret.
            onMouseDown={(e) => {
              e.preventDefault();
              void canned.pick(template);
            }}
            onMouseEnter={() => canned.setActive(index)}
          >
            <span className="canned-name">{template.name}</span>
            <span className="canned-preview">{template.body.slice(0, 80)}</span>
          </li>
        ))}
        {matches.length === 0 && <li className="muted canned-empty">No template matches “{menu.query}”.</li>}
      </ul>
      {canned.busy && <div className="muted small canned-status">Filling in the contact’s details…</div>}
    </div>
  );
}

/** Variables that rendered blank: the agent checks the inserted text before Send is allowed. */
export function BlankVariablesNotice({ blank, onChecked }: { blank: { templateName: string; variables: string[] }; onChecked(): void }) {
  return (
    <div className="notice error canned-blank" role="alert" data-testid="canned-blank">
      <span>
        “{blank.templateName}” has nothing for {blank.variables.join(', ')} in this conversation, so {blank.variables.length > 1 ? 'they were' : 'it was'} left blank. Check the text before sending.
      </span>
      <button type="button" className="secondary small" onClick={onChecked} data-testid="canned-blank-ok">
        I checked it
      </button>
    </div>
  );
}

/** The number whose contact fills a canned reply: the one customer of a conversation, else none. */
export function cannedRecipient(conversation: { remoteNumbers: string[] } | undefined): string | null {
  const remotes = conversation?.remoteNumbers ?? [];
  return remotes.length === 1 && remotes[0]!.startsWith('+') ? remotes[0]! : null;
}
