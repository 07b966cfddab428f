// The runtime configuration the hosting serves next to the page (/config.json), so one build runs
// deployed and locally.

export interface AuthConfig {
  authorizeUrl: string;
  tokenUrl: string;
  logoutUrl: string | null;
  clientId: string;
  scopes: string[];
}

export interface AppConfig {
  apiBaseUrl: string;
  auth: AuthConfig;
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  // index.html preloads it (so it loads beside the scripts, not after them); a fetch takes the
  // preloaded answer only when it asks the same way, so no cache option here: the hosting serves
  // it with `no-cache`, which makes every load ask again anyway.
  const response = await fetchImpl('/config.json');
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const config = (await response.json()) as AppConfig;
  if (!config?.apiBaseUrl || !config.auth?.authorizeUrl || !config.auth.tokenUrl || !config.auth.clientId) {
    throw new Error('/config.json lacks apiBaseUrl or auth settings');
  }
  return { ...config, auth: { ...config.auth, scopes: config.auth.scopes ?? ['openid', 'email', 'profile'] } };
}
