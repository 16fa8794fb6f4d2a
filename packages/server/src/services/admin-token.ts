import fs from 'node:fs';
import path from 'node:path';
import { generateAdminToken } from '../crypto/tokens.js';

/**
 * The admin token: `MYPOSTSHARE_ADMIN_TOKEN` when set; otherwise the one stored in the data
 * directory, generated (mode 0600) on first start. `generated` tells the caller to print it, once.
 */
export function resolveAdminToken(
  configured: string | undefined,
  dataDir: string,
): { token: string; generated: boolean; file?: string } {
  if (configured) return { token: configured, generated: false };
  const file = path.join(dataDir, 'admin-token');
  if (fs.existsSync(file)) return { token: fs.readFileSync(file, 'utf8').trim(), generated: false, file };
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = generateAdminToken();
  // 'wx' fails if another process created it meanwhile; then that process's token wins.
  try {
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch {
    return { token: fs.readFileSync(file, 'utf8').trim(), generated: false, file };
  }
  return { token, generated: true, file };
}
