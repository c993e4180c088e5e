/**
 * A domain API whose code is fetched on its first call. The object exists at once with every
 * method of the real API (so `gw.billing.checkout` is there to pass around); each method loads
 * the module through `load` — a dynamic `import()`, which bundlers turn into a separate chunk —
 * and calls the real method. Every method of a lazily loaded API is async, so the wait for the
 * chunk hides inside the promise the caller already awaits.
 *
 * `methods` names every method once (`{ subscription: true, … }`): the type requires exactly the
 * real API's keys, so a method added to the module and not here fails the typecheck.
 */
export function lazyApi<Api extends object>(
  load: () => Promise<Api>,
  methods: { [Name in keyof Api]: true },
): Api {
  let loading: Promise<Api> | undefined;
  const loaded = (): Promise<Api> => {
    // A failed load (offline, a chunk gone after a deploy) is not remembered: the next call retries.
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    api[name] = async (...args) => {
      const real = (await loaded()) as Record<string, (...args: unknown[]) => Promise<unknown>>;
      return real[name]?.(...args);
    };
  }
  return api as Api;
}
