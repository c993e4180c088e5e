import type { StackConfig } from '../config/load-config.ts';
import type { ServiceFactory } from './service.ts';

/**
 * The services the gateway mounts, each switched by its config.toml section. A service
 * not listed here answers 503 on its path.
 */
export function enabledServices(_config: StackConfig): ServiceFactory[] {
  const factories: ServiceFactory[] = [];
  return factories;
}
