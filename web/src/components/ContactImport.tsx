/**
 * CSV import of contacts (F21) with progress: the file is sent in chunks of rows (each with the
 * header), so the bar moves as the server imports. A partly successful import says what went in
 * (success style) apart from the rows that did not, each with its line number and reason.
 */
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../lib/api';
import { guessCountry } from '../lib/format';
import { formFieldError } from '../lib/api-errors';

const CHUNK_ROWS = 200;

interface ImportTotals {
  imported: number;
  failed: number;
  errors: Array<{ line: number; message: string }>;
}

/** Splits CSV text into records, keeping newlines inside quoted cells. */
export function csvRecords(text: string): string[] {
  const records: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '"') quoted = !quoted;
    if (!quoted && (char === '\n' || char === '\r')) {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      if (current.trim()) records.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  if (current.trim()) records.push(current);
  return records;
}

export function ContactImport() {
  const client = useQueryClient();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<ImportTotals | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (file: File) => {
    setError(null);
    setResult(null);
    const records = csvRecords(await file.text());
    const [header, ...rows] = records;
    if (!header || rows.length === 0) {
      setError('The file needs a header row (name, phone, …) and at least one contact.');
      return;
    }
    const total: ImportTotals = { imported: 0, failed: 0, errors: [] };
    setProgress({ done: 0, total: rows.length });
    try {
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const chunk = rows.slice(start, start + CHUNK_ROWS);
        const answer = await api<ImportTotals>('/contacts/import', {
          method: 'POST',
          body: { csv: [header, ...chunk].join('\n'), defaultCountry: guessCountry() },
        });
        total.imported += answer.imported;
        total.failed += answer.failed;
        // The server numbers lines within the chunk (its header is line 1).
        total.errors.push(...answer.errors.map((e) => ({ line: e.line + start, message: e.message })));
        setProgress({ done: Math.min(rows.length, start + chunk.length), total: rows.length });
      }
      setResult(total);
    } catch (err) {
      setError(errorText(err));
    } finally {
      await client.invalidateQueries({ queryKey: ['contacts'] });
    }
  };

  return (
    <div className="import" data-testid="contact-import">
      <label className="button secondary">
        Import CSV
        <input type="file" accept=".csv,text/csv" hidden onChange={(e) => e.target.files?.[0] && void run(e.target.files[0])} />
      </label>
      {progress && (
        <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
          <div style={{ width: `${(100 * progress.done) / progress.total}%` }} />
          <span>
            {progress.done} / {progress.total}
          </span>
        </div>
      )}
      {result && <ImportResult result={result} />}
      {error && <div className="notice error">{error}</div>}
    </div>
  );
}

const LISTED_FAILURES = 50;
/** Row errors name the contact's fields ("phones[0] …"): put them in words. */
const ROW_FIELDS = ['name', 'phones', 'tags', 'fields'];

function ImportResult({ result }: { result: ImportTotals }) {
  const { imported, failed, errors } = result;
  const shown = Math.min(errors.length, LISTED_FAILURES);
  return (
    <div className="import-result" data-testid="import-result">
      <div className={`notice ${imported ? 'success' : ''}`} role="status" data-testid="import-imported">
        Imported {imported} contact{imported === 1 ? '' : 's'}.
      </div>
      {failed > 0 && (
        <div className="notice error import-failures" role="alert" data-testid="import-failed">
          <strong>
            {failed} row{failed === 1 ? '' : 's'} not imported:
          </strong>
          <ul>
            {errors.slice(0, LISTED_FAILURES).map((e) => (
              <li key={e.line} data-testid="import-failure">
                Line {e.line}: {formFieldError(e.message, ROW_FIELDS).message}
              </li>
            ))}
          </ul>
          {failed > shown && <span>…and {failed - shown} more.</span>}
        </div>
      )}
    </div>
  );
}
