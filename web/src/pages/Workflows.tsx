/** Workflows (F26): a trigger, optional conditions and steps, edited here; each workflow's run log below its editor. */
import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorText } from '../lib/api';
import { useTemplates } from '../lib/automation';
import { fullTime } from '../lib/format';
import type { Page, PhoneNumber } from '../lib/types';
import '../components/automation.css';
import './workflows.css';

/** Send in a case: open a new one (Liquid title) or the conversation's latest open case (none: sent without a case). */
type StepCase = 'latest_open' | { open: string };
type Step =
  | { type: 'send_message'; templateId?: string; text?: string; toContactField?: string; from?: string; case?: StepCase }
  | { type: 'wait'; minutes: number }
  | { type: 'set_contact_field'; field: string; value: string }
  | { type: 'add_tag' | 'remove_tag'; tag: string }
  | { type: 'http_webhook'; url: string }
  | { type: 'stop' };
interface Condition {
  field: string;
  op: 'equals' | 'not_equals' | 'contains' | 'not_contains' | 'is_set' | 'is_empty';
  value?: string;
}
interface Workflow {
  id: string;
  name: string;
  enabled: boolean;
  trigger: { type: 'message.received' | 'message.delivered'; bodyGlob?: string; numberIds?: string[] };
  conditions: Condition[];
  steps: Step[];
  runWithoutContact: boolean;
  maxRunsPerContactPerHour: number;
}
interface Run {
  id: string;
  status: string;
  contactId: string | null;
  remoteNumber: string | null;
  trigger: { type: string; messageId: string | null };
  steps: Array<{ step: number; type: string; outcome: string; at: string; detail?: string; caseId?: string; response?: { statusCode: number | null; body: string | null } }>;
  error: string | null;
  resumeAt: string | null;
  createdAt: string;
}

const STEP_LABELS: Record<Step['type'], string> = {
  send_message: 'Send a message',
  wait: 'Wait',
  set_contact_field: 'Set a contact field',
  add_tag: 'Add a tag',
  remove_tag: 'Remove a tag',
  http_webhook: 'Call an HTTP webhook',
  stop: 'Stop',
};

function newStep(type: Step['type']): Step {
  switch (type) {
    case 'send_message':
      return { type, text: '' };
    case 'wait':
      return { type, minutes: 60 };
    case 'set_contact_field':
      return { type, field: '', value: '' };
    case 'add_tag':
    case 'remove_tag':
      return { type, tag: '' };
    case 'http_webhook':
      return { type, url: '' };
    case 'stop':
      return { type };
  }
}

function StepEditor({ step, index, onChange, onRemove, numbers }: { step: Step; index: number; onChange(step: Step): void; onRemove(): void; numbers: PhoneNumber[] }) {
  const templates = useTemplates();
  return (
    <li className="card workflow-step" data-testid="workflow-step">
      <strong>
        {index + 1}. {STEP_LABELS[step.type]}
      </strong>{' '}
      <button type="button" className="link-button" onClick={onRemove}>
        Remove
      </button>
      {step.type === 'send_message' && (
        <div className="form-grid">
          <label>
            Template
            <select
              aria-label={`Step ${index + 1} template`}
              value={step.templateId ?? ''}
              onChange={(e) => onChange(e.target.value ? { ...step, templateId: e.target.value, text: undefined } : { ...step, templateId: undefined, text: step.text ?? '' })}
            >
              <option value="">— write the text —</option>
              {(templates.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          {!step.templateId && (
            <label>
              Text (Liquid: {'{{ contact.first_name }}'}, {'{{ message.body }}'})
              <textarea aria-label={`Step ${index + 1} text`} rows={2} value={step.text ?? ''} onChange={(e) => onChange({ ...step, text: e.target.value })} />
            </label>
          )}
          <label>
            To
            <input aria-label={`Step ${index + 1} to contact field`} placeholder="the remote number (or a contact field name)" value={step.toContactField ?? ''} onChange={(e) => onChange({ ...step, toContactField: e.target.value || undefined })} />
          </label>
          <label>
            From
            <select aria-label={`Step ${index + 1} from`} value={step.from ?? ''} onChange={(e) => onChange({ ...step, from: e.target.value || undefined })}>
              <option value="">The conversation's number</option>
              {numbers.map((n) => (
                <option key={n.id} value={n.number}>
                  {n.number}
                </option>
              ))}
            </select>
          </label>
          <label>
            Case
            <select
              aria-label={`Step ${index + 1} case`}
              value={step.case === undefined ? '' : step.case === 'latest_open' ? 'latest_open' : 'open'}
              onChange={(e) => onChange({ ...step, case: e.target.value === 'open' ? { open: 'Case for {{ contact.phone }}' } : e.target.value === 'latest_open' ? 'latest_open' : undefined })}
            >
              <option value="">No case</option>
              <option value="open">Open a new case</option>
              <option value="latest_open">The conversation's latest open case (none: send without a case)</option>
            </select>
          </label>
          {typeof step.case === 'object' && (
            <label>
              Case title (Liquid)
              <input aria-label={`Step ${index + 1} case title`} required maxLength={300} value={step.case.open} onChange={(e) => onChange({ ...step, case: { open: e.target.value } })} />
            </label>
          )}
        </div>
      )}
      {step.type === 'wait' && (
        <label>
          Minutes
          <input aria-label={`Step ${index + 1} minutes`} type="number" min={1} value={step.minutes} onChange={(e) => onChange({ ...step, minutes: Number(e.target.value) })} />
        </label>
      )}
      {step.type === 'set_contact_field' && (
        <div className="inline-form">
          <input aria-label={`Step ${index + 1} field`} placeholder="field" value={step.field} onChange={(e) => onChange({ ...step, field: e.target.value })} />
          <input aria-label={`Step ${index + 1} value`} placeholder="value" value={step.value} onChange={(e) => onChange({ ...step, value: e.target.value })} />
        </div>
      )}
      {(step.type === 'add_tag' || step.type === 'remove_tag') && <input aria-label={`Step ${index + 1} tag`} placeholder="tag" value={step.tag} onChange={(e) => onChange({ ...step, tag: e.target.value })} />}
      {step.type === 'http_webhook' && <input aria-label={`Step ${index + 1} URL`} type="url" placeholder="https://…" value={step.url} onChange={(e) => onChange({ ...step, url: e.target.value })} />}
    </li>
  );
}

function WorkflowEditor({ initial, onSaved }: { initial: Workflow | null; onSaved(workflow: Workflow, secret?: string): void }) {
  const client = useQueryClient();
  const numbers = useQuery({ queryKey: ['numbers'], queryFn: () => api<Page<PhoneNumber>>('/numbers', { query: { limit: 500 } }), select: (d) => d.items });
  const [name, setName] = useState(initial?.name ?? '');
  const [triggerType, setTriggerType] = useState(initial?.trigger.type ?? 'message.received');
  const [glob, setGlob] = useState(initial?.trigger.bodyGlob ?? '');
  const [numberIds, setNumberIds] = useState<string[]>(initial?.trigger.numberIds ?? []);
  const [conditions, setConditions] = useState<Condition[]>(initial?.conditions ?? []);
  const [steps, setSteps] = useState<Step[]>(initial?.steps ?? []);
  const [runWithoutContact, setRunWithoutContact] = useState(initial?.runWithoutContact ?? false);
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [addType, setAddType] = useState<Step['type']>('send_message');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body = {
      name,
      enabled,
      trigger: { type: triggerType, bodyGlob: glob, numberIds },
      conditions,
      steps: steps.map((s) => (s.type === 'send_message' ? Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && v !== '')) : s)),
      runWithoutContact,
    };
    try {
      const saved = await api<Workflow & { signingSecret?: string }>(initial ? `/workflows/${initial.id}` : '/workflows', { method: initial ? 'PATCH' : 'POST', body });
      await client.invalidateQueries({ queryKey: ['workflows'] });
      onSaved(saved, saved.signingSecret);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card form-grid" onSubmit={submit} data-testid="workflow-form">
      <label>
        Name
        <input name="workflowName" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <fieldset>
        <legend>Trigger</legend>
        <select aria-label="Trigger" value={triggerType} onChange={(e) => setTriggerType(e.target.value as Workflow['trigger']['type'])}>
          <option value="message.received">Incoming message</option>
          <option value="message.delivered">Message delivered</option>
        </select>
        <label>
          Text matches (glob, any case; blank = every message)
          <input name="bodyGlob" placeholder="YES*" value={glob} onChange={(e) => setGlob(e.target.value)} />
        </label>
        {(numbers.data ?? []).length > 0 && (
          <div>
            Only on numbers:{' '}
            {(numbers.data ?? []).map((n) => (
              <label key={n.id} className="check">
                <input type="checkbox" checked={numberIds.includes(n.id)} onChange={(e) => setNumberIds(e.target.checked ? [...numberIds, n.id] : numberIds.filter((x) => x !== n.id))} /> {n.number}
              </label>
            ))}
          </div>
        )}
        <label className="check">
          <input type="checkbox" checked={runWithoutContact} onChange={(e) => setRunWithoutContact(e.target.checked)} /> Also run once when no contact matches the number
        </label>
      </fieldset>
      <fieldset>
        <legend>Conditions (all must hold)</legend>
        {conditions.map((condition, index) => (
          <div className="inline-form" key={index}>
            <input aria-label={`Condition ${index + 1} field`} placeholder="contact.fields.plan" value={condition.field} onChange={(e) => setConditions(conditions.map((c, i) => (i === index ? { ...c, field: e.target.value } : c)))} />
            <select aria-label={`Condition ${index + 1} operator`} value={condition.op} onChange={(e) => setConditions(conditions.map((c, i) => (i === index ? { ...c, op: e.target.value as Condition['op'] } : c)))}>
              {['equals', 'not_equals', 'contains', 'not_contains', 'is_set', 'is_empty'].map((op) => (
                <option key={op} value={op}>
                  {op.replace('_', ' ')}
                </option>
              ))}
            </select>
            <input aria-label={`Condition ${index + 1} value`} value={condition.value ?? ''} onChange={(e) => setConditions(conditions.map((c, i) => (i === index ? { ...c, value: e.target.value } : c)))} />
            <button type="button" className="link-button" onClick={() => setConditions(conditions.filter((_, i) => i !== index))}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" className="secondary" onClick={() => setConditions([...conditions, { field: 'contact.fields.', op: 'equals', value: '' }])}>
          Add condition
        </button>
      </fieldset>
      <fieldset>
        <legend>Steps</legend>
        <ol className="workflow-steps">
          {steps.map((step, index) => (
            <StepEditor
              key={index}
              step={step}
              index={index}
              numbers={numbers.data ?? []}
              onChange={(next) => setSteps(steps.map((s, i) => (i === index ? next : s)))}
              onRemove={() => setSteps(steps.filter((_, i) => i !== index))}
            />
          ))}
        </ol>
        <div className="inline-form">
          <select aria-label="Step type" value={addType} onChange={(e) => setAddType(e.target.value as Step['type'])}>
            {Object.entries(STEP_LABELS).map(([type, label]) => (
              <option key={type} value={type}>
                {label}
              </option>
            ))}
          </select>
          <button type="button" className="secondary" data-testid="add-step" onClick={() => setSteps([...steps, newStep(addType)])}>
            Add step
          </button>
        </div>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      <div>
        <button className="primary" type="submit" data-testid="save-workflow">
          {initial ? 'Save workflow' : 'Create workflow'}
        </button>
      </div>
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}

function RunLog({ workflowId }: { workflowId: string }) {
  const runs = useQuery({ queryKey: ['workflows', workflowId, 'runs'], queryFn: () => api<Page<Run>>(`/workflows/${workflowId}/runs`, { query: { limit: 100 } }), refetchInterval: 2000 });
  return (
    <section className="card" data-testid="run-log">
      <h2>Runs</h2>
      {(runs.data?.items ?? []).length === 0 && <p className="muted">No runs yet.</p>}
      <ul className="list">
        {(runs.data?.items ?? []).map((run) => (
          <li key={run.id} data-testid="run-item">
            <strong data-testid="run-status">{run.status}</strong> · {fullTime(run.createdAt)} · {run.trigger.type} from {run.remoteNumber ?? '—'}
            {run.contactId ? (
              <>
                {' '}
                · <Link to={`/contacts/${run.contactId}`}>contact</Link>
              </>
            ) : (
              ' · no contact'
            )}
            {run.resumeAt && <span className="muted"> · continues {fullTime(run.resumeAt)}</span>}
            {run.error && <div className="notice error">{run.error}</div>}
            <ol>
              {run.steps.map((step) => (
                <li key={step.step} data-testid="run-step">
                  {STEP_LABELS[step.type as Step['type']] ?? step.type}: <strong>{step.outcome}</strong> <span className="muted">{fullTime(step.at)}</span>
                  {step.detail && <div className="muted">{step.detail}</div>}
                  {step.caseId && (
                    <div>
                      <Link to={`/cases/${step.caseId}`}>Case</Link>
                    </div>
                  )}
                  {step.response && (
                    <div className="muted">
                      Answer {step.response.statusCode ?? 'none'}: {step.response.body?.slice(0, 200)}
                    </div>
                  )}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function WorkflowsPage() {
  const { workflowId } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const workflows = useQuery({ queryKey: ['workflows'], queryFn: () => api<Page<Workflow>>('/workflows', { query: { limit: 500 } }), select: (d) => d.items });
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = workflowId && workflowId !== 'new' ? workflows.data?.find((w) => w.id === workflowId) : undefined;
  const remove = async (workflow: Workflow) => {
    if (!window.confirm(`Delete the workflow "${workflow.name}" and its runs?`)) return;
    try {
      await api(`/workflows/${workflow.id}`, { method: 'DELETE' });
      await client.invalidateQueries({ queryKey: ['workflows'] });
      navigate('/workflows');
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="page workflows-page">
      <h1>Workflows</h1>
      <p className="muted">When a message arrives (or is delivered) and matches, run the steps for each contact of that number. Opted-out numbers and contacts who do not allow SMS are never messaged.</p>
      {secret && (
        <div className="notice success" role="status">
          Secret that signs this workflow's HTTP webhook calls (shown once): <code>{secret}</code>{' '}
          <button className="link-button" onClick={() => setSecret(null)}>
            Hide
          </button>
        </div>
      )}
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      {!workflowId && (
        <>
          <Link className="button primary" to="/workflows/new" data-testid="new-workflow">
            New workflow
          </Link>
          <ul className="card list" data-testid="workflow-list">
            {(workflows.data ?? []).length === 0 && <li className="muted">No workflows yet.</li>}
            {(workflows.data ?? []).map((workflow) => (
              <li key={workflow.id} data-testid="workflow-item">
                <Link to={`/workflows/${workflow.id}`}>
                  <strong>{workflow.name}</strong>
                </Link>{' '}
                <span className="pill">{workflow.enabled ? 'enabled' : 'paused'}</span>
                <div className="muted">
                  {workflow.trigger.type === 'message.received' ? 'Incoming message' : 'Message delivered'}
                  {workflow.trigger.bodyGlob ? ` matching "${workflow.trigger.bodyGlob}"` : ''} → {workflow.steps.map((s) => STEP_LABELS[s.type]).join(' → ')}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      {workflowId === 'new' && (
        <WorkflowEditor
          initial={null}
          onSaved={(saved, signingSecret) => {
            setSecret(signingSecret ?? null);
            navigate(`/workflows/${saved.id}`);
          }}
        />
      )}
      {current && (
        <>
          <Link to="/workflows">← All workflows</Link>{' '}
          <button className="link-button" onClick={() => void remove(current)}>
            Delete
          </button>
          <WorkflowEditor key={current.id} initial={current} onSaved={() => undefined} />
          <RunLog workflowId={current.id} />
        </>
      )}
      {workflowId && workflowId !== 'new' && !current && workflows.isSuccess && <p>Workflow not found.</p>}
    </div>
  );
}
