import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { createApi, type Api } from '../api/client';
import type { AppConfig } from '../config';
import { userFromToken, type SignedInUser } from './claims';
import { beginSignIn, forgetToken, signOut as endSession, storedToken } from './oauth';

export interface AppServices {
  config: AppConfig;
  api: Api;
  /** null when signed out or the token has expired */
  user: SignedInUser | null;
  /** Starts the OAuth sign-in; after it the page returns to `returnTo` (default: where it is now). */
  signIn: (returnTo?: string) => void;
  signOut: () => void;
  /** The API answered 401: the token is no longer good. */
  sessionEnded: boolean;
}

const AppServicesContext = createContext<AppServices | null>(null);

const currentPath = () => `${window.location.pathname}${window.location.search}${window.location.hash}`;

function userOfStoredToken(): SignedInUser | null {
  const token = storedToken();
  const user = token ? userFromToken(token) : null;
  if (user?.expiresAt && user.expiresAt * 1000 <= Date.now()) {
    forgetToken();
    return null;
  }
  return user;
}

export function AppServicesProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  const [user] = useState<SignedInUser | null>(userOfStoredToken);
  const [sessionEnded, setSessionEnded] = useState(false);
  const api = useMemo(
    () => createApi({
      baseUrl: config.apiBaseUrl,
      getToken: storedToken,
      onUnauthorized: () => setSessionEnded(true),
    }),
    [config.apiBaseUrl],
  );
  const signIn = useCallback((returnTo?: string) => void beginSignIn(config.auth, returnTo ?? currentPath()), [config.auth]);
  // The user stays set until the page leaves for the logout: clearing it first would re-render a
  // page behind RequireSignIn, whose sign-in redirect would win over the logout's.
  const signOut = useCallback(() => endSession(config.auth), [config.auth]);
  const value = useMemo(() => ({ config, api, user, signIn, signOut, sessionEnded }), [config, api, user, signIn, signOut, sessionEnded]);
  return <AppServicesContext.Provider value={value}>{children}</AppServicesContext.Provider>;
}

/** For tests and stories: services given as they are. */
export function StaticAppServices({ value, children }: { value: AppServices; children: ReactNode }) {
  return <AppServicesContext.Provider value={value}>{children}</AppServicesContext.Provider>;
}

export function useAppServices(): AppServices {
  const services = useContext(AppServicesContext);
  if (!services) throw new Error('useAppServices outside AppServicesProvider');
  return services;
}

export const useApi = () => useAppServices().api;
export const useUser = () => useAppServices().user;
