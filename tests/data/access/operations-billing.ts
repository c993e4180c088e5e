import { uniqueSuffix } from '../support/fixtures.ts';
import { needs, type Operation, only, succeeded, touchedRows } from './matrix.ts';

const signedIn = ['outsider', 'viewer', 'member', 'admin', 'owner'] as const;

// Billing state is Stripe's, written by the billing functions with the service role; people
// read a workspace's through billing_subscription() (billing.manage), prices are public.
export const billingOperations: Operation[] = [
  {
    subject: 'billing_prices',
    op: 'select',
    rule: only([...signedIn, 'service_role'], true),
    run: async ({ client, db }) => {
      await db.query(
        `insert into public.billing_prices (stripe_price_id, plan_id) values ('price_matrix', 'pro') on conflict do nothing`,
      );
      return touchedRows(
        await client.from('billing_prices').select('plan_id').eq('stripe_price_id', 'price_matrix'),
      );
    },
  },
  {
    subject: 'billing_prices',
    op: 'insert',
    rule: only(['service_role']),
    run: async ({ client }) =>
      succeeded(
        await client
          .from('billing_prices')
          .insert({ stripe_price_id: `price_${uniqueSuffix()}`, plan_id: 'pro' }),
      ),
  },
  {
    subject: 'workspace_subscriptions',
    op: 'select',
    rule: only(['service_role']),
    run: async ({ client, tenant }) =>
      succeeded(
        await client.from('workspace_subscriptions').select('status').eq('workspace_id', tenant.workspaceId),
      ),
  },
  {
    subject: 'workspace_subscriptions',
    op: 'insert',
    rule: only(['service_role']),
    run: async ({ client, tenant }) =>
      succeeded(
        await client
          .from('workspace_subscriptions')
          .upsert({ workspace_id: tenant.workspaceId, stripe_customer_id: `cus_${uniqueSuffix()}` }),
      ),
  },
  {
    subject: 'stripe_events',
    op: 'select',
    rule: only(['service_role']),
    run: async ({ client }) => succeeded(await client.from('stripe_events').select('id').limit(1)),
  },
  // The cancellation outbox of deleted workspaces' subscriptions: billing-sync-seats only.
  {
    subject: 'rpc',
    op: 'billing_claim_cancellations',
    rule: only(['service_role']),
    run: async ({ client }) => succeeded(await client.rpc('billing_claim_cancellations')),
  },
  {
    subject: 'rpc',
    op: 'billing_finish_cancellation',
    rule: only(['service_role']),
    run: async ({ client }) =>
      succeeded(
        await client.rpc('billing_finish_cancellation', { stripe_subscription_id: `sub_${uniqueSuffix()}` }),
      ),
  },
  {
    subject: 'rpc',
    op: 'billing_subscription',
    rule: needs('billing.manage'),
    run: async ({ client, tenant }) =>
      touchedRows(await client.rpc('billing_subscription', { workspace_id: tenant.workspaceId })),
  },
];
