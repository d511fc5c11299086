/**
 * Start an import. "Check connection" runs the same request as a dry run (options.dry_run: the
 * service checks credentials and access and counts the items, storing nothing) and follows that
 * job to its end. Secrets stay in this form's memory: never stored in the browser, never in a URL.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { CONNECTION_CHECK, api, describe, unwrap, type ImportRequest, type Job, type SourceType } from '../api.js';
import { Heading } from '../components/Heading.js';
import { followJob } from '../events.js';
import { count } from '../format.js';
import { BASE, Link, navigate } from '../router.js';
import { SOURCE_FIELDS, SOURCE_LABELS, sourceConfig, type Field, type FormValues } from '../sources.js';

type Check = { state: 'running' } | { state: 'ok'; job: Job } | { state: 'failed'; message: string; jobId?: string };

export function NewImportPage() {
  const [type, setType] = useState<SourceType>('github');
  const [values, setValues] = useState<FormValues>({});
  const [mode, setMode] = useState<'full' | 'incremental'>('full');
  const [comments, setComments] = useState(true);
  const [check, setCheck] = useState<Check | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const checking = useRef<AbortController | null>(null);
  useEffect(() => () => checking.current?.abort(), []);

  const body = (dryRun: boolean): ImportRequest =>
    ({
      source_type: type,
      source_config: sourceConfig(type, values),
      options: { mode, include_comments: comments, ...(dryRun ? { dry_run: true } : {}) },
      ...(dryRun ? { correlation_id: CONNECTION_CHECK } : {}),
    }) as ImportRequest;

  const changeType = (next: SourceType) => {
    setType(next);
    setValues({});
    setCheck(null);
    setError(null);
  };

  const runCheck = async () => {
    checking.current?.abort();
    const ctl = new AbortController();
    checking.current = ctl;
    setCheck({ state: 'running' });
    let jobId: string | undefined;
    try {
      const created = unwrap(await api.POST('/api/imports', { body: body(true), signal: ctl.signal }));
      jobId = created.job_id;
      const job = await followJob(created.job_id, () => undefined, ctl.signal);
      setCheck(
        job.status === 'completed'
          ? { state: 'ok', job }
          : { state: 'failed', jobId, message: job.error_message ? `${job.error_code}: ${job.error_message}` : `the check ended ${job.status}` },
      );
    } catch (err) {
      if (!ctl.signal.aborted) setCheck({ state: 'failed', message: describe(err), ...(jobId ? { jobId } : {}) });
    }
  };

  const start = async (e: Event) => {
    e.preventDefault();
    setStarting(true);
    setError(null);
    try {
      const job = unwrap(await api.POST('/api/imports', { body: body(false) }));
      navigate(`${BASE}/jobs/${job.job_id}`);
    } catch (err) {
      setError(describe(err));
      setStarting(false);
    }
  };

  const set = (name: string, v: string | boolean) => setValues((prev) => ({ ...prev, [name]: v }));

  return (
    <section aria-labelledby="page-title">
      <Heading title="New import">New import</Heading>
      <form class="import-form" onSubmit={start} aria-labelledby="page-title">
        <div class="field">
          <label for="source_type">Source</label>
          <select id="source_type" value={type} onChange={(e) => changeType(e.currentTarget.value as SourceType)}>
            {(Object.keys(SOURCE_LABELS) as SourceType[]).map((t) => (
              <option key={t} value={t}>
                {SOURCE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>{SOURCE_LABELS[type]} connection</legend>
          {SOURCE_FIELDS[type].map((f) => (
            <FieldInput key={`${type}.${f.name}`} field={f} value={values[f.name]} onChange={(v) => set(f.name, v)} />
          ))}
        </fieldset>
        <fieldset>
          <legend>Options</legend>
          <div class="field">
            <label for="mode">Mode</label>
            <select id="mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as 'full' | 'incremental')}>
              <option value="full">full: every item in scope</option>
              <option value="incremental">incremental: what changed since the last import</option>
            </select>
          </div>
          <div class="field checkbox">
            <input id="include_comments" type="checkbox" checked={comments} onChange={(e) => setComments(e.currentTarget.checked)} />
            <label for="include_comments">Import comments</label>
          </div>
        </fieldset>
        <div class="actions">
          <button type="button" onClick={runCheck} disabled={check?.state === 'running'}>
            Check connection
          </button>
          <button type="submit" class="primary" disabled={starting}>
            {starting ? 'Starting…' : 'Start import'}
          </button>
        </div>
        <div role="status" aria-live="polite" class="check">
          {check?.state === 'running' && <p>Checking the connection…</p>}
          {check?.state === 'ok' && (
            <p class="ok">
              Connection works: {count(check.job.progress.total_items)} items to import.
            </p>
          )}
          {check?.state === 'failed' && (
            <p class="error">
              Connection check failed: {check.message}
              {check.jobId && (
                <>
                  {' '}
                  (<Link href={`${BASE}/jobs/${check.jobId}`}>the check's job</Link>)
                </>
              )}
            </p>
          )}
        </div>
        {error && (
          <p role="alert" class="error">
            Cannot start the import: {error}
          </p>
        )}
      </form>
    </section>
  );
}

function FieldInput({ field, value, onChange }: { field: Field; value: string | boolean | undefined; onChange: (v: string | boolean) => void }) {
  const id = `cfg-${field.name}`;
  const hintId = field.hint ? `${id}-hint` : undefined;
  if (field.kind === 'checkbox') {
    return (
      <div class="field checkbox">
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />
        <label for={id}>{field.label}</label>
      </div>
    );
  }
  const text = typeof value === 'string' ? value : '';
  const common = {
    id,
    name: field.name,
    spellcheck: false,
    required: field.required ?? false,
    placeholder: field.placeholder,
    'aria-describedby': hintId,
    value: text,
    onInput: (e: Event) => onChange((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>
        {field.label}
        {field.required && <span aria-hidden="true"> *</span>}
      </label>
      {field.kind === 'select' ? (
        <select id={id} value={text || field.options![0]} onChange={(e) => onChange(e.currentTarget.value)}>
          {field.options!.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : field.kind === 'secret' ? (
        <input type="password" autocomplete="off" {...common} />
      ) : field.kind === 'url' ? (
        <input type="url" {...common} />
      ) : (
        <input type="text" {...common} />
      )}
      {field.hint && (
        <small id={hintId} class="hint">
          {field.hint}
        </small>
      )}
    </div>
  );
}
