/** A message body as text, with http(s), mailto and tel links made clickable (lib/linkify); never as HTML. */
import { useMemo } from 'react';
import { linkify } from '../lib/linkify';

export function MessageBody({ body }: { body: string }) {
  const parts = useMemo(() => linkify(body), [body]);
  return (
    <>
      {parts.map((part, index) =>
        part.type === 'text' ? (
          part.text
        ) : part.external ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer nofollow" data-testid="body-link">
            {part.text}
          </a>
        ) : (
          <a key={index} href={part.href} rel="noopener noreferrer nofollow" data-testid="body-link">
            {part.text}
          </a>
        ),
      )}
    </>
  );
}
