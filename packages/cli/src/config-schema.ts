import { PROFILE_NAME } from './config.js';

// The profiles file's schema, built on first use: zod is imported then, so that it stays out of
// `mypostshare --help` and of the commands that never read the profiles file.

async function build() {
  const z = await import('zod');
  const Origin = z.url({ protocol: /^https?$/ }).refine((value) => {
    // zod runs refinements even after the URL check failed: parse defensively.
    const url = URL.canParse(value) ? new URL(value) : undefined;
    return url !== undefined && !url.search && !url.hash && url.pathname === '/' && url.origin === value;
  }, 'must be a server origin such as http://localhost:8787');

  const Profile = z.strictObject({
    server: Origin,
    adminToken: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    app: z.string().min(1).optional(),
  });

  return z.strictObject({
    version: z.literal(1),
    currentProfile: z.string().regex(PROFILE_NAME).optional(),
    profiles: z.record(z.string().regex(PROFILE_NAME, 'is not a valid profile name'), Profile),
  });
}

let schema: ReturnType<typeof build> | undefined;

/** The zod schema of the profiles file. */
export function configFileSchema(): ReturnType<typeof build> {
  schema ??= build();
  return schema;
}
