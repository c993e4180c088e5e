/** Small labelled controls shared by every screen: each input has a label and its own error. */
import { type FormEvent, type InputHTMLAttributes, type ReactNode, useEffect, useId, useState } from 'react';
import { describeError, type Problem } from './errors.ts';

export function Field({
  label,
  error,
  ...input
}: { label: string; error?: string[] | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        {...input}
      />
      {error ? (
        <p className="field-error" id={errorId}>
          {error.join(', ')}
        </p>
      ) : null}
    </div>
  );
}

export function Alert({ problem }: { problem: Problem | null }) {
  if (!problem) return null;
  return (
    <p className="alert" role="alert">
      {problem.message}
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

/**
 * Loads what a screen shows when it mounts, and again whenever `load` changes (wrap it in
 * `useCallback` with what it reads), keeping the failure to show in place of the content.
 */
export function useLoaded<T>(load: () => Promise<T>) {
  const [value, setValue] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    load().then(setValue, (error: unknown) => setProblem(describeError(error)));
  }, [load]);
  return { value, setValue, problem };
}

/**
 * Runs a form's action with a busy flag and keeps its failure (message and per-field errors),
 * so each form shows what went wrong where people look.
 */
export function useAction<Args extends unknown[]>(action: (...args: Args) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function run(...args: Args): Promise<boolean> {
    setBusy(true);
    setProblem(null);
    try {
      await action(...args);
      return true;
    } catch (error) {
      setProblem(describeError(error));
      return false;
    } finally {
      setBusy(false);
    }
  }
  function onSubmit(makeArgs: (form: FormData) => Args) {
    return (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      void run(...makeArgs(new FormData(event.currentTarget)));
    };
  }
  return { busy, problem, run, onSubmit, fields: problem?.fields ?? {}, clear: () => setProblem(null) };
}

export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** A secret the server hands over once (a key, a link, a signing secret): shown, selectable, gone on leaving. */
export function ShownOnce({ label, intro, value }: { label: string; intro: string; value: string | null }) {
  if (!value) return null;
  return (
    <div className="notice" role="status">
      <p>{intro}</p>
      <input aria-label={label} readOnly value={value} onFocus={(event) => event.target.select()} />
    </div>
  );
}

/** A form's last row: what went wrong (if anything), then its submit button, off while busy. */
export function FormEnd({
  action,
  children,
}: {
  action: { problem: Problem | null; busy: boolean };
  children: ReactNode;
}) {
  return (
    <>
      <Alert problem={action.problem} />
      <button type="submit" disabled={action.busy}>
        {children}
      </button>
    </>
  );
}
