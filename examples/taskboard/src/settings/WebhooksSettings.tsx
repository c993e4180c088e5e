/**
 * Outbound webhooks: endpoints (the signing secret shown once), a test event, and each endpoint's
 * delivery log. The webhooks API is its own SDK entry point, so apps without it bundle none of it.
 */
import type { WebhookDelivery, WebhookEndpoint, WebhookEventType } from '@groundwork/sdk';
import { webhooksApi } from '@groundwork/sdk/webhooks';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { describeError, type Problem } from '../errors.ts';
import { Alert, Field, FormEnd, ShownOnce, text, useAction } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function WebhooksSettings() {
  const { gw, workspace } = useWorkspace();
  const webhooks = useMemo(() => webhooksApi(gw), [gw]);
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[]>([]);
  const [types, setTypes] = useState<WebhookEventType[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    webhooks
      .listEndpoints(workspace.id)
      .then(setEndpoints, (error: unknown) => setProblem(describeError(error)));
  }, [webhooks, workspace.id]);
  useEffect(() => {
    load();
    webhooks.eventTypes().then(setTypes, () => undefined);
  }, [webhooks, load]);
  const [formKey, setFormKey] = useState(0);
  const create = useAction(async (url: string, description: string, eventTypes: string[]) => {
    const endpoint = await webhooks.createEndpoint({
      workspace_id: workspace.id,
      url,
      ...(description ? { description } : {}),
      ...(eventTypes.length > 0 ? { event_types: eventTypes } : {}),
    });
    setSecret(endpoint.secret);
    setFormKey((key) => key + 1);
    load();
  });
  return (
    <>
      <Alert problem={problem} />
      {endpoints.length === 0 ? <p className="muted">No endpoints yet.</p> : null}
      <ul className="cards" aria-label="Webhook endpoints">
        {endpoints.map((endpoint) => (
          <li key={endpoint.id}>
            <div className="row spread wrap">
              <span>
                {endpoint.url}{' '}
                <span className="muted">
                  {endpoint.enabled
                    ? 'enabled'
                    : `disabled${endpoint.disabled_reason ? `: ${endpoint.disabled_reason}` : ''}`}
                  {' · '}
                  {endpoint.event_types.length > 0 ? endpoint.event_types.join(', ') : 'all events'}
                </span>
              </span>
              <span className="row">
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    void webhooks.sendTest(endpoint.id).then(
                      () => setOpen(endpoint.id),
                      (error: unknown) => setProblem(describeError(error)),
                    )
                  }
                >
                  Send test event
                </button>
                <button
                  type="button"
                  className="secondary"
                  aria-expanded={open === endpoint.id}
                  onClick={() => setOpen(open === endpoint.id ? null : endpoint.id)}
                >
                  Deliveries
                </button>
              </span>
            </div>
            {open === endpoint.id ? <Deliveries endpointId={endpoint.id} /> : null}
          </li>
        ))}
      </ul>
      <form
        key={formKey}
        aria-label="Add a webhook endpoint"
        className="panel"
        noValidate
        onSubmit={create.onSubmit((form) => [
          text(form, 'url'),
          text(form, 'description'),
          form.getAll('event_types').filter((value): value is string => typeof value === 'string'),
        ])}
      >
        <h2>New endpoint</h2>
        <Field
          label="Endpoint URL"
          name="url"
          type="url"
          placeholder="https://example.com/hooks"
          error={create.fields.url}
        />
        <Field label="Description" name="description" error={create.fields.description} />
        <fieldset className="permissions">
          <legend>Events (none ticked: all)</legend>
          {types.map((type) => (
            <label key={type.type} className="chip" title={type.description}>
              <input type="checkbox" name="event_types" value={type.type} /> {type.type}
            </label>
          ))}
        </fieldset>
        <FormEnd action={create}>Add endpoint</FormEnd>
      </form>
      <ShownOnce
        label="Signing secret"
        intro="The endpoint’s signing secret, shown only now — keep it with your receiver:"
        value={secret}
      />
    </>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const { gw } = useWorkspace();
  const webhooks = useMemo(() => webhooksApi(gw), [gw]);
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const load = useCallback(() => {
    webhooks
      .listDeliveries({ endpoint_id: endpointId, limit: 20 })
      .then(setDeliveries, (error: unknown) => setProblem(describeError(error)));
  }, [webhooks, endpointId]);
  useEffect(load, [load]);
  // Deliveries in flight settle within seconds: look again until they have.
  useEffect(() => {
    if (!deliveries?.some((delivery) => delivery.status === 'pending' || delivery.status === 'delivering'))
      return;
    const again = setTimeout(load, 1000);
    return () => clearTimeout(again);
  }, [deliveries, load]);
  return (
    <div>
      <div className="row">
        <strong>Delivery log</strong>
        <button type="button" className="link" onClick={load}>
          Refresh
        </button>
      </div>
      <Alert problem={problem} />
      {deliveries && deliveries.length === 0 ? <p className="muted">Nothing sent yet.</p> : null}
      <table className="list" aria-label="Deliveries">
        <tbody>
          {(deliveries ?? []).map((delivery) => (
            <tr key={delivery.id}>
              <td>{delivery.event_type}</td>
              <td>{delivery.status}</td>
              <td className="muted">
                {delivery.attempts} attempt{delivery.attempts === 1 ? '' : 's'}
                {delivery.last_status_code ? ` · HTTP ${delivery.last_status_code}` : ''}
                {delivery.last_error ? ` · ${delivery.last_error}` : ''}
              </td>
              <td>
                {delivery.status === 'failed' ? (
                  <button
                    type="button"
                    className="link"
                    onClick={() => void webhooks.replay(delivery.id).then(load, () => undefined)}
                  >
                    Replay
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
