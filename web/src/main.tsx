import '@cloudscape-design/global-styles/index.css';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { ApiError } from './api/client';
import { App } from './app/App';
import { AppServicesProvider } from './auth/AuthContext';
import { loadConfig } from './config';
import { ErrorBoundary } from './shared/ErrorBoundary';
import './app/app.css';

const root = createRoot(document.getElementById('root')!);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Read again when the person comes back to the tab: someone else may have changed things.
      refetchOnWindowFocus: true,
      staleTime: 10_000,
      // A refusal (4xx) says the same the second time: only a failure without an answer or a 5xx is retried.
      retry: (count, error) => count < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
    },
  },
});

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <ErrorBoundary>
          <AppServicesProvider config={config}>
            <QueryClientProvider client={queryClient}>
              <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
                <App />
              </BrowserRouter>
            </QueryClientProvider>
          </AppServicesProvider>
        </ErrorBoundary>
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main role="alert" style={{ maxWidth: '36rem', margin: '3rem auto', fontFamily: 'sans-serif' }}>
        <h1>The page could not start</h1>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    ),
);
