/** The workspace's plan and subscription; upgrading and managing go through Stripe's own pages. */
import type { BillingSubscription } from '@groundwork/sdk';
import { useCallback } from 'react';
import { Alert, Notice, useAction, useLoaded } from '../ui.tsx';
import { useWorkspace } from '../workspaces/workspace-context.ts';

export function BillingSettings() {
  const { gw, workspace } = useWorkspace();
  const { value: billing, problem } = useLoaded<BillingSubscription>(
    useCallback(() => gw.billing.subscription(workspace.id), [gw, workspace.id]),
  );
  const upgrade = useAction(async () => {
    const { url } = await gw.billing.checkout({
      workspace_id: workspace.id,
      plan: 'pro',
      success_url: window.location.href,
      cancel_url: window.location.href,
    });
    window.location.assign(url);
  });
  const manage = useAction(async () => {
    const { url } = await gw.billing.portal({ workspace_id: workspace.id, return_url: window.location.href });
    window.location.assign(url);
  });
  return (
    <>
      <Alert problem={problem} />
      {billing ? (
        <dl className="facts">
          <dt>Plan</dt>
          <dd>{billing.plan}</dd>
          <dt>Subscription</dt>
          <dd>{billing.status ?? 'none'}</dd>
          <dt>Seats used</dt>
          <dd>
            {billing.seats_used}
            {billing.max_members === null ? '' : ` of ${billing.max_members}`}
          </dd>
          {billing.current_period_end ? (
            <>
              <dt>Renews</dt>
              <dd>
                {new Date(billing.current_period_end).toLocaleDateString()}
                {billing.cancel_at_period_end ? ' (cancels then)' : ''}
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {billing?.status === 'past_due' ? (
        <Notice>
          Payment failed. Update your card
          {billing.grace_ends_at ? ` by ${new Date(billing.grace_ends_at).toLocaleDateString()}` : ''}, or new
          projects and tasks will be blocked.
        </Notice>
      ) : null}
      <div className="row wrap">
        {billing && billing.plan !== 'pro' ? (
          <button type="button" disabled={upgrade.busy} onClick={() => void upgrade.run()}>
            Upgrade to Pro
          </button>
        ) : null}
        {billing?.has_billing_account ? (
          <button
            type="button"
            className="secondary"
            disabled={manage.busy}
            onClick={() => void manage.run()}
          >
            Manage billing
          </button>
        ) : null}
      </div>
      <Alert problem={upgrade.problem ?? manage.problem} />
    </>
  );
}
