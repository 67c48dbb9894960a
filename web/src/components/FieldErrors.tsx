/**
 * Form errors where they belong (issue 12, item 8): an API error that names one of the form's
 * fields is shown in words under that field and marks it invalid; it clears when that field
 * changes. Errors about nothing in the form show once, above the buttons, until any change.
 *
 *   const errors = useFieldErrors(save.error, save.reset, ['name', 'email']);
 *   <form onChange={errors.onChange}> <input {...errors.input('name')} /> {errors.note('name')} … {errors.rest}
 */
import { useId, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorText } from '../lib/api';
import { formFieldError } from '../lib/api-errors';

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="notice error" role="alert">
      {errorText(error)}
    </div>
  );
}

export interface FieldErrors {
  /** The form field the error is about, or null. */
  field: string | null;
  /** Props for the input (or fieldset) holding `name`. */
  input(name: string): { 'data-field': string; 'aria-invalid'?: true; 'aria-describedby'?: string };
  /** The error under the input holding `name`, when it is about that field. */
  note(name: string): ReactNode;
  /** The error when it names no field of this form. */
  rest: ReactNode;
  /** For the form's onChange: clears the error once the field it is about changes. */
  onChange(event: FormEvent): void;
}

export function useFieldErrors(error: unknown, clear: () => void, fields: readonly string[]): FieldErrors {
  const id = useId();
  const found = error instanceof ApiError ? formFieldError(error.message, fields) : null;
  const field = found?.field ?? null;
  const noteId = (name: string) => `${id}-${name.replace(/\W/g, '-')}`;
  return {
    field,
    input: (name) => ({ 'data-field': name, ...(field === name ? { 'aria-invalid': true as const, 'aria-describedby': noteId(name) } : {}) }),
    note: (name) =>
      field === name ? (
        <span className="field-error" id={noteId(name)} role="alert" data-testid="field-error" data-field-error={name}>
          {found!.message}
        </span>
      ) : null,
    rest: field ? null : <ErrorNote error={error} />,
    onChange: (event) => {
      if (!error) return;
      const changed = (event.target as HTMLElement).closest?.('[data-field]')?.getAttribute('data-field');
      if (!field || changed === field) clear();
    },
  };
}
