/**
 * Opens `url` in the user's browser: `$BROWSER` when set, else the platform's opener. Resolves
 * once the opener started; rejects when there is none.
 */
export async function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Loaded here rather than at the top: start-up time of every other command.
  const { spawn } = await import('node:child_process');
  const [command, ...args] = env.BROWSER?.trim()
    ? [env.BROWSER.trim(), url]
    : process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url];
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { detached: true, stdio: 'ignore' });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
