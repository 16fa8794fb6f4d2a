import { MyPostShareError } from '../errors.js';

type ContractRoutes = typeof import('./contract-routes.js');

let loading: Promise<ContractRoutes> | undefined;

/**
 * The contract's route registry (methods, paths, idempotency, and the zod schemas every call is
 * validated with), imported on the first call rather than with the SDK: zod is most of the SDK's
 * weight, and a lazy import keeps it out of the main bundle (bundlers give it a chunk of its own).
 * Every method is async anyway, so validation still happens before anything reaches the network.
 */
export function loadContract(): Promise<ContractRoutes> {
  loading ??= import('./contract-routes.js').catch((error: unknown) => {
    loading = undefined;
    throw new MyPostShareError('Could not load @mypostshare/contract, which the SDK validates with', {
      cause: error,
    });
  });
  return loading;
}
