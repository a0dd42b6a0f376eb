import { selectBackend, type BackendChoice } from '../../src/index.js';

/** The backend under test: env FR_BACKEND, default wasm (the library's default here). */
export async function useTestBackend(fallback: BackendChoice = 'wasm'): Promise<string> {
  const choice = (process.env.FR_BACKEND as BackendChoice | undefined) ?? fallback;
  const info = await selectBackend(choice, { log: null });
  return info.name;
}
