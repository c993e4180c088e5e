/**
 * The Stripe client every billing function uses, configured from the environment in one
 * place. STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are project secrets (`supabase secrets
 * set`); STRIPE_API_HOST / STRIPE_API_PORT / STRIPE_API_PROTOCOL point the library elsewhere
 * than api.stripe.com — tests set them to a local Stripe stand-in, deployments leave them unset.
 */
import Stripe from 'stripe';
import { FunctionError } from './errors.ts';

function stripeSecret(name: 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET'): string {
  const value = Deno.env.get(name);
  if (!value) throw new FunctionError('billing_not_configured', `Billing is not configured: set ${name}`);
  return value;
}

let client: Stripe | undefined;

export function stripeClient(): Stripe {
  if (client) return client;
  const host = Deno.env.get('STRIPE_API_HOST') || undefined;
  const port = Deno.env.get('STRIPE_API_PORT') || undefined;
  const protocol = Deno.env.get('STRIPE_API_PROTOCOL');
  client = new Stripe(stripeSecret('STRIPE_SECRET_KEY'), {
    // Deno has fetch and Web Crypto, not Node's http module.
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(host ? { host } : {}),
    ...(port ? { port } : {}),
    ...(protocol === 'http' || protocol === 'https' ? { protocol } : {}),
  });
  return client;
}

const cryptoProvider = Stripe.createSubtleCryptoProvider();

/** The verified event, or `invalid_signature` for a missing, forged or expired signature. */
export async function verifiedStripeEvent(request: Request): Promise<Stripe.Event> {
  const signature = request.headers.get('Stripe-Signature');
  const payload = await request.text();
  const secret = stripeSecret('STRIPE_WEBHOOK_SECRET');
  if (!signature) throw new FunctionError('invalid_signature', 'The Stripe-Signature header is missing');
  try {
    return await stripeClient().webhooks.constructEventAsync(
      payload,
      signature,
      secret,
      undefined,
      cryptoProvider,
    );
  } catch {
    throw new FunctionError('invalid_signature', 'The Stripe-Signature does not match this payload');
  }
}

/** A Stripe API failure as `payment_provider_error` (the details stay in the logs). */
export async function callStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    console.error(`stripe ${what} failed:`, error);
    throw new FunctionError('payment_provider_error', `Stripe could not ${what}; try again`);
  }
}
