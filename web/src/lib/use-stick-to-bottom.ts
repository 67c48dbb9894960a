/**
 * A message list that opens at the newest message and stays there while pictures load, but
 * leaves a reader who scrolled up alone and counts what arrived meanwhile (the "new messages"
 * pill). Pinning reacts to the content's size, not to a one-off scroll after render, because
 * images grow the list after it was scrolled.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

const NEAR_BOTTOM_PX = 48;

export function useStickToBottom(newestId: string | undefined) {
  const boxRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const pinnedHeight = useRef(0);
  const followNext = useRef(false);
  const seenNewest = useRef<string | undefined>(undefined);
  const [unseen, setUnseen] = useState(0);

  const pin = (box: HTMLElement) => {
    box.scrollTop = box.scrollHeight;
    pinnedHeight.current = box.scrollHeight;
  };

  const scrollToBottom = useCallback(() => {
    const box = boxRef.current;
    pinned.current = true;
    setUnseen(0);
    if (box) pin(box);
  }, []);

  useEffect(() => {
    const box = boxRef.current;
    const content = contentRef.current;
    if (!box || !content) return;
    const onScroll = () => {
      // Growth under a pinned reader (a picture loading; the browser's scroll anchoring reports it
      // as a scroll) is not the reader leaving the bottom.
      if (pinned.current && box.scrollHeight !== pinnedHeight.current) return pin(box);
      pinned.current = box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM_PX;
      if (pinned.current) {
        pinnedHeight.current = box.scrollHeight;
        setUnseen(0);
      }
    };
    const observer = new ResizeObserver(() => {
      if (pinned.current) pin(box);
    });
    observer.observe(content);
    observer.observe(box);
    box.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      observer.disconnect();
      box.removeEventListener('scroll', onScroll);
    };
  }, []);

  useLayoutEffect(() => {
    if (!newestId || newestId === seenNewest.current) return;
    const first = seenNewest.current === undefined;
    seenNewest.current = newestId;
    if (first || pinned.current || followNext.current) {
      followNext.current = false;
      scrollToBottom();
    } else {
      setUnseen((n) => n + 1);
    }
  }, [newestId, scrollToBottom]);

  /** Call before sending: the reader's own message is always shown. */
  const followOwnMessage = useCallback(() => {
    followNext.current = true;
  }, []);

  return { boxRef, contentRef, unseen, scrollToBottom, followOwnMessage };
}
